import { type Kysely, sql } from 'kysely';
import type {
  ConfirmationAnswer,
  ConfirmationOutcome,
  ConfirmationRepository,
  ConfirmationSummary,
  NewConfirmation,
  WaitingConfirmation,
} from '../../core/confirmations/ports.js';
import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Schema } from '../schema.js';

const MAX_WAITING_LISTED = 50;

export class SqlConfirmationRepository implements ConfirmationRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(r: NewConfirmation): Promise<number> {
    const row = await this.db
      .insertInto('confirmation_requests')
      .values({
        service_id: r.serviceId,
        purpose: r.payment ? 'payment' : 'preauthorization',
        payment_id: r.payment?.paymentId ?? null,
        attempt: r.payment?.attempt ?? null,
        msisdn: r.msisdn,
        channel: r.channel,
        short_number: r.shortNumber ?? null,
        prompt: r.prompt,
        created_at: r.createdAt,
        expires_at: r.expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async answer(id: number, msisdn: Msisdn, answer: ConfirmationAnswer, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('confirmation_requests')
      .set({ status: answer, answered_at: at })
      .where('id', '=', id)
      .where('msisdn', '=', msisdn)
      .where('status', '=', 'waiting')
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async expire(id: number): Promise<boolean> {
    const result = await this.db
      .updateTable('confirmation_requests')
      .set({ status: 'expired' })
      .where('id', '=', id)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async outcomes(ids: readonly number[]): Promise<Map<number, ConfirmationOutcome>> {
    if (ids.length === 0) return new Map();
    const { rows } = await sql<{ id: string; status: ConfirmationOutcome }>`
      SELECT id, status FROM confirmation_requests WHERE id = ANY(${[...ids]}::bigint[]) AND status <> 'waiting'`.execute(this.db);
    return new Map(rows.map((row) => [Number(row.id), row.status]));
  }

  async waitingFor(msisdn: Msisdn, at: Date): Promise<WaitingConfirmation[]> {
    const rows = await this.db
      .selectFrom('confirmation_requests')
      .select(['id', 'channel', 'short_number', 'prompt', 'expires_at'])
      .where('msisdn', '=', msisdn)
      .where('status', '=', 'waiting')
      .where('expires_at', '>', at)
      .orderBy('id')
      .limit(MAX_WAITING_LISTED)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      channel: r.channel as 'sms' | 'ussd',
      sender: r.short_number ? `${r.short_number}${String(r.id).padStart(10, '0')}` : null,
      prompt: r.prompt,
      expiresAt: new Date(r.expires_at),
    }));
  }

  async summary(id: number, msisdn: Msisdn, at: Date): Promise<ConfirmationSummary | null> {
    const row = await this.db
      .selectFrom('confirmation_requests as c')
      .innerJoin('endpoints as s', 's.id', 'c.service_id')
      .leftJoin('payments as p', 'p.id', 'c.payment_id')
      .select(['c.id', 'c.status', 'c.expires_at', 's.name', 'p.amount_minor', 'p.currency'])
      .where('c.id', '=', id)
      .where('c.msisdn', '=', msisdn)
      .executeTakeFirst();
    if (!row) return null;
    // A prompt past its time is over, even before its waiter has marked it expired.
    const overdue = row.status === 'waiting' && new Date(row.expires_at) <= at;
    return {
      id: Number(row.id),
      status: overdue ? 'expired' : (row.status as ConfirmationSummary['status']),
      serviceName: row.name,
      payment: row.amount_minor === null || row.currency === null ? null : { amountMinor: BigInt(row.amount_minor), currency: row.currency as Currency },
    };
  }
}
