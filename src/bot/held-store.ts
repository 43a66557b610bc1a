import type { EquityPoint } from '../equity/types.js';
import type { Store } from '../store/store.js';

/** A store whose saves can be held in memory for a while and then written once (see `release`). */
export interface HeldStore extends Store {
  /** Whether saves are being held. */
  readonly holding: boolean;
  /** Writes the latest held state and series through to the real store (once each) and stops holding. */
  release(): Promise<void>;
}

/**
 * Wraps a store so that, while holding, each save only remembers its latest value. The demo's simulated
 * week runs two thousand ticks in a few seconds; writing the state file and the growing series file on each
 * of them would cost more than the ticks. Loads and status go to the real store; after `release` every call
 * does.
 */
export function holdingStore(inner: Store): HeldStore {
  let holding = true;
  let state: { readonly saved_ts: number } | null = null;
  let series: readonly EquityPoint[] | null = null;
  return {
    get holding() {
      return holding;
    },
    loadReconState: () => inner.loadReconState(),
    loadSeries: () => inner.loadSeries(),
    status: () => inner.status(),
    async saveReconState(s) {
      if (!holding) return inner.saveReconState(s);
      state = s;
    },
    async saveSeries(points) {
      if (!holding) return inner.saveSeries(points);
      series = [...points];
      return series;
    },
    async release() {
      if (!holding) return;
      holding = false;
      const [s, p] = [state, series];
      state = null;
      series = null;
      await Promise.all([s === null ? undefined : inner.saveReconState(s), p === null ? undefined : inner.saveSeries(p)]);
    },
  };
}
