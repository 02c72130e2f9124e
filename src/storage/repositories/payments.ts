import { type Kysely, sql } from 'kysely';
import type {
  ChargeRecord,
  OutboxPort,
  PaymentRepository,
  PendingPayment,
  ReserveOutcome,
  ReverseOutcome,
} from '../../core/payments/ports.js';
import type { PaymentStatus } from '../../core/payments/types.js';
import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Database } from '../db.js';
import type { Schema } from '../schema.js';

/** SQLSTATE raised by the ledger functions for a refusal that must leave no trace. */
const LEDGER_REFUSAL = 'OD001';

export function ledgerRefusal(error: unknown): string | null {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === LEDGER_REFUSAL && typeof e.message === 'string' ? e.message : null;
}

/** The state of the current attempt's confirmation prompt; a waiting one past its time is expired. */
const confirmationState = sql<string | null>`(SELECT CASE WHEN c.status = 'waiting' AND c.expires_at <= now() THEN 'expired' ELSE c.status END
  FROM confirmation_requests c WHERE c.payment_id = payments.id AND c.attempt = payments.attempt)`;
const CONFIRMATION_STATE = confirmationState.as('confirmation');

const limitArg = (limit: bigint | null) => (limit === null ? '-1' : limit.toString());

/** reserve_charge and settle_charge run once or twice per Pay: prepared, not rebuilt. */
const RESERVE_CHARGE_SQL = 'SELECT * FROM reserve_charge($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::jsonb)';
const SETTLE_CHARGE_SQL = 'SELECT settle_charge($1, $2, $3, $4, $5) AS status';

export class SqlPaymentRepository implements PaymentRepository, OutboxPort {
  private readonly db: Kysely<Schema>;

  constructor(private readonly database: Database) {
    this.db = database.kysely;
  }

  async reserveCharge(r: ChargeRecord): Promise<ReserveOutcome> {
    try {
      const rows = await this.database.prepared<{ outcome: string; payment_id: string; payment_status: string; attempt: number }>(
        'reserve_charge',
        RESERVE_CHARGE_SQL,
        [
          r.serviceId, r.merchantId, r.clientReference, r.detailsHash, r.msisdn, r.operator, r.amountMinor.toString(),
          r.currency, r.serviceCode, r.testSubscriber, r.paidAtOnce, r.monthPeriod, limitArg(r.monthLimitMinor), r.yearPeriod,
          limitArg(r.yearLimitMinor), r.debitAccount, r.creditAccount, JSON.stringify(r.details),
        ],
      );
      const row = rows[0];
      if (!row) throw new Error('reserve_charge returned no row');
      const paymentId = Number(row.payment_id);
      const status = row.payment_status as PaymentStatus;
      if (row.outcome === 'reserved') {
        if (status !== 'pending' && status !== 'paid') throw new Error(`reserve_charge reserved as ${status}`);
        return { kind: 'reserved', paymentId, attempt: Number(row.attempt), status };
      }
      if (row.outcome === 'duplicate') return { kind: 'duplicate', paymentId, status };
      return { kind: 'conflict', paymentId };
    } catch (error) {
      const reason = ledgerRefusal(error);
      if (reason === 'blocked' || reason === 'limit_monthly' || reason === 'limit_yearly') return { kind: 'refused', reason };
      throw error;
    }
  }

  async findByReference(serviceId: number, clientReference: string): Promise<PendingPayment | null> {
    const row = await this.db
      .selectFrom('payments')
      .selectAll()
      .select(CONFIRMATION_STATE)
      .where('service_id', '=', serviceId)
      .where('client_reference', '=', clientReference)
      .executeTakeFirst();
    return row ? toPayment(row) : null;
  }

  async reverse(serviceId: number, paymentId: number): Promise<ReverseOutcome> {
    const { rows } = await sql<{ outcome: string; payment_status: string | null; client_reference: string | null }>`
      SELECT * FROM reverse_payment(${serviceId}, ${paymentId})`.execute(this.db);
    const row = rows[0];
    if (!row || row.outcome === 'not_found') return { kind: 'not_found' };
    if (row.outcome === 'not_paid') return { kind: 'not_paid', status: row.payment_status as PaymentStatus };
    return { kind: row.outcome as 'reversed' | 'already_reversed', clientReference: String(row.client_reference) };
  }

  async listPending(createdBefore: Date, limit: number): Promise<PendingPayment[]> {
    const rows = await this.db
      .selectFrom('payments')
      .selectAll()
      .select(CONFIRMATION_STATE)
      .where('status', '=', 'pending')
      .where('created_at', '<', createdBefore)
      // A payment whose subscriber is still being asked belongs to the request that asks.
      .where(sql<boolean>`${confirmationState} IS DISTINCT FROM 'waiting'`)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toPayment);
  }

  async settle(
    paymentId: number,
    attempt: number,
    status: 'paid' | 'failed',
    debitAccount: string,
    creditAccount: string,
  ): Promise<PaymentStatus | 'superseded'> {
    const rows = await this.database.prepared<{ status: string }>('settle_charge', SETTLE_CHARGE_SQL, [
      paymentId, attempt, status, debitAccount, creditAccount,
    ]);
    const settled = rows[0]?.status;
    if (!settled) throw new Error(`settle_charge found no payment ${paymentId}`);
    return settled as PaymentStatus | 'superseded';
  }

  async spentInPeriods(msisdn: Msisdn, currency: Currency, periods: readonly string[]): Promise<Map<string, bigint>> {
    const row = await this.db.selectFrom('subscriber_spend').selectAll().where('msisdn', '=', msisdn).where('currency', '=', currency).executeTakeFirst();
    const spent = new Map<string, bigint>();
    if (!row) return spent;
    if (periods.includes(row.month_period)) spent.set(row.month_period, BigInt(row.month_spent_minor));
    if (periods.includes(row.year_period)) spent.set(row.year_period, BigInt(row.year_spent_minor));
    return spent;
  }

  async enqueue(topic: string, payload: Record<string, unknown>): Promise<void> {
    await this.db.insertInto('outbox_events').values({ topic, payload: JSON.stringify(payload) }).execute();
  }
}

function toPayment(row: {
  id: unknown;
  service_id: unknown;
  merchant_id: unknown;
  client_reference: string;
  status: string;
  msisdn: string;
  amount_minor: unknown;
  currency: string;
  operator: string;
  attempt: number;
  created_at: Date;
  confirmation: string | null;
}): PendingPayment {
  return {
    paymentId: Number(row.id),
    serviceId: Number(row.service_id),
    merchantId: Number(row.merchant_id),
    clientReference: row.client_reference,
    status: row.status as PaymentStatus,
    msisdn: row.msisdn as Msisdn,
    amountMinor: BigInt(String(row.amount_minor)),
    currency: row.currency as Currency,
    operator: row.operator,
    attempt: row.attempt,
    createdAt: new Date(row.created_at),
    confirmation: (row.confirmation ?? 'none') as PendingPayment['confirmation'],
  };
}
