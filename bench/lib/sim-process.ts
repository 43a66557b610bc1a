// The simulated Kraken in its own process (forked with IPC), so a memory benchmark of the daemon counts
// neither the exchange's ledger nor its heap. The parent drives the fake clock with `clock` messages.
import { KrakenSim } from '../../src/kraken/sim/index.js';
import type { LedgerRowInput, SimOptions } from '../../src/kraken/sim/types.js';

export type SimRequest =
  | { id: number; op: 'start'; key: { key: string; secret: string }; options: SimOptions; ms: number }
  | { id: number; op: 'clock'; ms: number }
  | { id: number; op: 'rows'; rows: LedgerRowInput[] }
  | { id: number; op: 'price'; price: string }
  | { id: number; op: 'stats' }
  | { id: number; op: 'close' };

let now = 0;
let sim: KrakenSim | null = null;
const reply = (id: number, value?: unknown): void => {
  process.send?.({ id, value });
};

process.on('message', (msg: SimRequest) => {
  void (async () => {
    switch (msg.op) {
      case 'start':
        now = msg.ms;
        sim = await KrakenSim.start({ ...msg.options, keys: [msg.key], now: () => now });
        return reply(msg.id, sim.url);
      case 'clock':
        now = msg.ms;
        return reply(msg.id);
      case 'rows':
        for (const r of msg.rows) sim?.addLedgerRow(r);
        return reply(msg.id);
      case 'price':
        sim?.setPrice(msg.price);
        return reply(msg.id);
      case 'stats': {
        const s = sim?.stats();
        return reply(msg.id, { calls: s?.calls ?? 0, rejected: s?.rejected ?? 0, ledgerRows: sim?.ledgerRows().length ?? 0 });
      }
      case 'close':
        await sim?.close();
        reply(msg.id);
        process.disconnect();
    }
  })();
});
