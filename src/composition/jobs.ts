import type { LedgerService } from '../core/ledger/service.js';
import type { PasswordAuthenticator } from '../core/merchants/authentication.js';
import type { MessagingService } from '../core/messaging/service.js';
import type { OutboxDispatcher } from '../core/outbox/service.js';
import type { PaymentService } from '../core/payments/service.js';
import type { Job } from '../jobs/job.js';
import { ledgerRollupJob } from '../jobs/ledger-rollup.js';
import { ledgerExpiryJob } from '../jobs/ledger-expiry.js';
import { loginThrottlePruneJob } from '../jobs/login-throttle-prune.js';
import { outboxDeliveryJob } from '../jobs/outbox-delivery.js';
import { receiptPruneJob } from '../jobs/receipt-prune.js';
import { settlementJob } from '../jobs/settlement.js';
import { smsDispatchJob } from '../jobs/sms-dispatch.js';
import { startWorker, type Worker } from '../jobs/worker.js';

/** How long a job that found nothing waits before it looks again. */
const IDLE_POLL_MS = 500;

/** The background work: started at most once, by listen() or by opendcb worker. */
export interface JobsModule {
  start(): void;
  /** Waits for the batches under way; nothing when it never started. */
  stop(): Promise<void>;
}

export function jobsModule(deps: {
  outbox: OutboxDispatcher;
  payments: PaymentService;
  authenticator: PasswordAuthenticator;
  messaging: MessagingService;
  ledger: LedgerService;
  onError: (error: unknown, job: string) => void;
}): JobsModule {
  const jobs: Job[] = [
    outboxDeliveryJob(deps.outbox, IDLE_POLL_MS),
    settlementJob(deps.payments, IDLE_POLL_MS),
    loginThrottlePruneJob(deps.authenticator),
    smsDispatchJob(deps.messaging, IDLE_POLL_MS),
    receiptPruneJob(deps.messaging),
    ledgerRollupJob(deps.ledger),
    ledgerExpiryJob(deps.ledger),
  ];
  let worker: Worker | undefined;
  return {
    start() {
      worker ??= startWorker(jobs, deps.onError);
    },
    async stop() {
      await worker?.stop();
    },
  };
}
