import type { PasswordAuthenticator } from '../core/merchants/authentication.js';
import type { OutboxDispatcher } from '../core/outbox/service.js';
import type { PaymentService } from '../core/payments/service.js';

export interface Worker {
  stop(): Promise<void>;
}

const IDLE_POLL_MS = 500;
/** Expired throttle windows are deleted this often: they only take space, never change an answer. */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Background work: outbox delivery and settlement of pending charges. Coordination is
 * through the database (SKIP LOCKED, conditional updates), so any number of processes
 * can run it side by side.
 */
export function startWorker(
  deps: { outbox: OutboxDispatcher; payments: PaymentService; authenticator?: Pick<PasswordAuthenticator, 'prune'> },
  onError: (error: unknown) => void,
  pollMs = IDLE_POLL_MS,
): Worker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let prunedAtMs = 0;

  // The jobs fail apart: a broken delivery must not stop settlement, nor the reverse.
  const step = async (job: () => Promise<number>) => {
    try {
      return await job();
    } catch (error) {
      onError(error);
      return 0;
    }
  };
  const tick = async () => {
    const delivered = await step(() => deps.outbox.deliverDue());
    const settled = await step(() => deps.payments.settlePending());
    if (deps.authenticator && Date.now() - prunedAtMs >= PRUNE_INTERVAL_MS) {
      prunedAtMs = Date.now();
      await step(() => deps.authenticator?.prune() ?? Promise.resolve(0));
    }
    if (!stopped) timer = setTimeout(loop, delivered + settled > 0 ? 0 : pollMs);
  };
  const loop = () => {
    running = tick();
  };
  timer = setTimeout(loop, pollMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
