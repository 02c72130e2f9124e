import { type Kysely, sql } from 'kysely';
import type { ChargePinRepository, NewChargePin, StoredChargePin } from '../../core/pins/ports.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Schema } from '../schema.js';
import { ledgerRefusal } from './payments.js';

export class SqlChargePinRepository implements ChargePinRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async issue(p: NewChargePin): Promise<number | 'rate_limited'> {
    try {
      const { rows } = await sql<{ id: string | number }>`SELECT issue_charge_pin(${p.endpointId}, ${p.msisdn}, ${p.productId}, ${p.pinHash},
        ${p.now.toISOString()}::timestamptz, ${p.expiresAt.toISOString()}::timestamptz, ${p.maxPerHour}, ${JSON.stringify(p.sms)}::jsonb) AS id`.execute(this.db);
      return Number(rows[0]?.id);
    } catch (error) {
      if (ledgerRefusal(error) === 'rate_limited') return 'rate_limited';
      throw error;
    }
  }

  async latest(endpointId: number, msisdn: Msisdn, productId: number): Promise<StoredChargePin | null> {
    const row = await this.db
      .selectFrom('charge_pins')
      .select(['id', 'pin_hash', 'expires_at', 'attempts', 'used_at'])
      .where('endpoint_id', '=', endpointId)
      .where('msisdn', '=', msisdn)
      .where('product_id', '=', productId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    return { pinId: Number(row.id), pinHash: row.pin_hash, expiresAt: new Date(row.expires_at), attempts: row.attempts, used: row.used_at !== null };
  }

  async claimAttempt(pinId: number, maxAttempts: number): Promise<boolean> {
    const result = await this.db
      .updateTable('charge_pins')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', pinId)
      .where('attempts', '<', maxAttempts)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async use(pinId: number, transactionId: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('charge_pins')
      .set({ used_at: at, transaction_id: transactionId })
      .where('id', '=', pinId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async hasTransaction(endpointId: number, transactionId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('charge_pins')
      .select('id')
      .where('transaction_id', '=', transactionId)
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
