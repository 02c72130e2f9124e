import type { MessagingService } from '../core/messaging/service.js';
import type { Job } from './job.js';

/** Submits due messages (scheduled ones at their time), applies late receipts, expires the overdue. */
export function smsDispatchJob(messaging: Pick<MessagingService, 'dispatchDue'>, idleMs: number): Job {
  return { name: 'sms-dispatch', idleMs, run: () => messaging.dispatchDue() };
}
