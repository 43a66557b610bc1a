import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoActor } from './demo-actors.js';

/** Steps that came due while ticks ran are made up at most this many at a time (no burst after a slow tick). */
const MAX_OWED_STEPS = 4;

/**
 * Runs the live demo's actors every `stepMs`, but only while the daemon loop sleeps between ticks: a step
 * that falls inside a tick waits for the tick to end. A tick then never sees a trade land between its price
 * and its balance reads, so the demo's Unexplained stays exactly what was injected instead of flickering.
 * Its `sleep` is the loop's sleep (see Daemon.run).
 */
export class ActorPacer {
  private idle = false;
  private owed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly actors: readonly DemoActor[],
    private readonly stepMs: number,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => {
      if (this.idle) this.act();
      else this.owed = Math.min(MAX_OWED_STEPS, this.owed + 1);
    }, this.stepMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.owed = 0;
  }

  /** The loop's sleep between ticks: owed steps first, then steps on their cadence until it ends. */
  readonly sleep = async (ms: number, signal: AbortSignal): Promise<void> => {
    this.idle = true;
    try {
      for (; this.owed > 0 && this.timer !== undefined; this.owed--) this.act();
      await sleep(ms, undefined, { signal });
    } finally {
      this.idle = false;
    }
  };

  private act(): void {
    for (const actor of this.actors) actor();
  }
}
