import type { MessagingService } from '../core/messaging/service.js';
import type { Job } from './job.js';

/** Receipts that found no message only take space: every ten minutes is enough. */
const PRUNE_INTERVAL_MS = 10 * 60_000;

/** Deletes delivery receipts that never found their message (MessagingService.pruneUnmatchedReceipts). */
export function receiptPruneJob(messaging: Pick<MessagingService, 'pruneUnmatchedReceipts'>): Job {
  return {
    name: 'receipt-prune',
    idleMs: PRUNE_INTERVAL_MS,
    // It answers how many it deleted, so a backlog runs again at once until none is left.
    run: () => messaging.pruneUnmatchedReceipts(),
  };
}
