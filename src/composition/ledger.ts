import { LedgerService } from '../core/ledger/service.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlLedgerStore } from '../storage/repositories/ledger.js';

/** The general ledger: accounts, transfers, its invariant check and its rollup. */
export function ledgerModule(deps: { db: Database; clock: Clock }): LedgerService {
  return new LedgerService(new SqlLedgerStore(deps.db), deps.clock);
}
