import type { OutboxDispatcher } from '../core/outbox/service.js';
import type { PaymentService } from '../core/payments/service.js';

export interface Worker {
  stop(): Promise<void>;
}

const IDLE_POLL_MS = 500;

/**
 * Background work: outbox delivery and settlement of pending charges. Coordination is
 * through the database (SKIP LOCKED, conditional updates), so any number of processes
 * can run it side by side.
 */
export function startWorker(
  deps: { outbox: OutboxDispatcher; payments: PaymentService },
  onError: (error: unknown) => void,
  pollMs = IDLE_POLL_MS,
): Worker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      const delivered = await deps.outbox.deliverDue();
      const settled = await deps.payments.settlePending();
      if (!stopped) timer = setTimeout(loop, delivered + settled > 0 ? 0 : pollMs);
    } catch (error) {
      onError(error);
      if (!stopped) timer = setTimeout(loop, pollMs);
    }
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
