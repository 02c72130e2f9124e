import type { OutboxDispatcher } from '../core/outbox/service.js';
import type { Job } from './job.js';

/** Delivers due outbox events to their topics' handlers (carrier credits, SMS, …). */
export function outboxDeliveryJob(outbox: Pick<OutboxDispatcher, 'deliverDue'>, idleMs: number): Job {
  return { name: 'outbox-delivery', idleMs, run: () => outbox.deliverDue() };
}
