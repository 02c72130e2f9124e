import type { Kysely } from 'kysely';
import type { RefundReasonRepository } from '../../core/refunds/service.js';
import type { Schema } from '../schema.js';

export class SqlRefundReasonRepository implements RefundReasonRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async record(paymentId: number, reasonCode: string, at: Date): Promise<void> {
    await this.db
      .insertInto('payment_refund_reasons')
      .values({ payment_id: paymentId, reason_code: reasonCode, recorded_at: at })
      .onConflict((oc) => oc.column('payment_id').doNothing())
      .execute();
  }
}
