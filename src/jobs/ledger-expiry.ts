import type { LedgerService } from '../core/ledger/service.js';
import type { Job } from './job.js';

/** How soon after its timeout a pending transfer's hold is given back. */
const EXPIRY_INTERVAL_MS = 1_000;

/** Voids pending transfers past their timeout (LedgerService.expireDue): what they held is available again. */
export function ledgerExpiryJob(ledger: Pick<LedgerService, 'expireDue'>): Job {
  return { name: 'ledger-expiry', idleMs: EXPIRY_INTERVAL_MS, run: () => ledger.expireDue() };
}
