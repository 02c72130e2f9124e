import type { LedgerService } from '../core/ledger/service.js';
import type { Job } from './job.js';

/**
 * How often the unflagged accounts' balances catch up. A read is exact whenever it comes
 * (rolled-up balance plus the transfers since); the interval only bounds how many transfers
 * since a read has to add up.
 */
const ROLLUP_INTERVAL_MS = 1_000;

/** Rolls ended transfers into the merchants' and operators' balances (LedgerService.rollUp). */
export function ledgerRollupJob(ledger: Pick<LedgerService, 'rollUp'>): Job {
  return {
    name: 'ledger-rollup',
    idleMs: ROLLUP_INTERVAL_MS,
    // Again at once only while a backlog remains (a run stopped at its bound), also when the
    // bounded step it took held no posted transfer (only pending ones): it still moved the mark.
    run: async () => {
      const outcome = await ledger.rollUp();
      return outcome.complete ? 0 : Math.max(1, outcome.transfers);
    },
  };
}
