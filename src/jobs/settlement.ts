import type { PaymentService } from '../core/payments/service.js';
import type { Job } from './job.js';

/** Settles pending charges whose operator answer is now known (see PaymentService.settlePending). */
export function settlementJob(payments: Pick<PaymentService, 'settlePending'>, idleMs: number): Job {
  return { name: 'settlement', idleMs, run: () => payments.settlePending() };
}
