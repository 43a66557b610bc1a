// The baseline page's payload: the real daemon at stage 0 (all flags off) after one tick, so the page has
// no chart, no markers and no flow history to draw.
import type { StatusPayload } from '../../src/bot/status-types.js';
import { startRig } from './rig.js';

export async function emptyStatus(): Promise<StatusPayload> {
  const rig = await startRig();
  try {
    await rig.daemon.tick();
    if (rig.daemon.status === null) throw new Error('stage-0 daemon built no status');
    return rig.daemon.status;
  } finally {
    await rig.close();
  }
}
