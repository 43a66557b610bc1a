import type { Logger } from 'pino';
import type { BookChanges } from '../recon/ledger-book.js';

export type LoggedChanges = { readonly [K in 'newFlows' | 'newSkipKinds' | 'newUnclassifiedTypes' | 'reclassified']: Readonly<BookChanges[K]> };

/** Log lines for what a batch of ledger rows changed: skip kinds and unclassified types once each, every flow and income row. */
export function logBookChanges(log: Logger, c: LoggedChanges): void {
  for (const kind of c.newSkipKinds) log.warn({ kind }, 'ledger rows skipped (logged once per kind; see external_flows.skipped_rows)');
  for (const type of c.newUnclassifiedTypes) {
    log.warn({ type }, 'ledger type nobody classified: it stays in Unexplained (balance_recon.unclassified; LEDGER_CATEGORY_OVERRIDES can move it)');
  }
  for (const f of c.newFlows) {
    log.info(
      { ledger_id: f.ledger_id, type: f.type, category: f.category, asset: f.asset, wallet: f.wallet, net: f.net, doge_eq: f.doge_eq, applied: f.applied },
      f.category === 'income' ? 'income detected' : 'external flow detected',
    );
  }
  if (c.reclassified > 0) log.info({ rows: c.reclassified }, 'ledger rows reclassified when another leg of their refid group arrived');
}
