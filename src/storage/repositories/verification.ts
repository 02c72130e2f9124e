import { type Kysely, sql } from 'kysely';
import type { NewVerificationCode, StoredVerificationCode, VerificationRepository } from '../../core/verification/ports.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Schema } from '../schema.js';
import { ledgerRefusal } from './payments.js';

export class SqlVerificationRepository implements VerificationRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async issue(c: NewVerificationCode): Promise<'issued' | 'rate_limited'> {
    try {
      await sql`SELECT issue_verification_code(${c.serviceId}, ${c.msisdn}, ${c.codeHash}, ${c.now.toISOString()}::timestamptz,
        ${c.expiresAt.toISOString()}::timestamptz, ${c.verificationExpiresAt?.toISOString() ?? null}::timestamptz,
        ${c.maxPerHour}, ${JSON.stringify(c.sms)}::jsonb)`.execute(this.db);
      return 'issued';
    } catch (error) {
      if (ledgerRefusal(error) === 'rate_limited') return 'rate_limited';
      throw error;
    }
  }

  async latest(serviceId: number, msisdn: Msisdn): Promise<StoredVerificationCode | null> {
    const row = await this.db
      .selectFrom('verification_codes')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('msisdn', '=', msisdn)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: Number(row.id),
      codeHash: row.code_hash,
      expiresAt: new Date(row.expires_at),
      verificationExpiresAt: row.verification_expires_at ? new Date(row.verification_expires_at) : null,
      attempts: row.attempts,
      used: row.used_at !== null,
    };
  }

  async claimAttempt(codeId: number, maxAttempts: number): Promise<boolean> {
    const result = await this.db
      .updateTable('verification_codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', codeId)
      .where('attempts', '<', maxAttempts)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async isVerified(serviceId: number, msisdn: Msisdn, at: Date): Promise<boolean> {
    const row = await this.db
      .selectFrom('verified_msisdns')
      .select('msisdn')
      .where('service_id', '=', serviceId)
      .where('msisdn', '=', msisdn)
      .where((eb) => eb.or([eb('verified_until', 'is', null), eb('verified_until', '>', at)]))
      .executeTakeFirst();
    return row !== undefined;
  }

  async markVerified(codeId: number, serviceId: number, msisdn: Msisdn, at: Date, verifiedUntil: Date | null): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const used = await tx
        .updateTable('verification_codes')
        .set({ used_at: at })
        .where('id', '=', codeId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (used.numUpdatedRows !== 1n) return false;
      await tx
        .insertInto('verified_msisdns')
        .values({ service_id: serviceId, msisdn, verified_at: at, verified_until: verifiedUntil })
        .onConflict((oc) => oc.columns(['service_id', 'msisdn']).doUpdateSet({ verified_at: at, verified_until: verifiedUntil }))
        .execute();
      return true;
    });
  }
}
