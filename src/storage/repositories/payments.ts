import { type Kysely, sql } from 'kysely';
import type {
  ChargeRecord,
  PaymentRepository,
  PendingPayment,
  PendingQuery,
  ReserveOutcome,
  ReverseOutcome,
} from '../../core/payments/ports.js';
import type { PaymentStatus } from '../../core/payments/types.js';
import type { PinAttempt } from '../../core/pins/ports.js';
import { assert } from '../../kernel/assert.js';
import { Batcher } from '../../kernel/batcher.js';
import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Database } from '../db.js';
import type { Schema } from '../schema.js';
import { guessColumns, statementRounds } from './pin-attempts.js';

/** SQLSTATE raised by the ledger functions for a refusal that must leave no trace. */
const LEDGER_REFUSAL = 'OD001';
/** SQLSTATE of reserve_charges for a batch it cannot reserve set-based: reserve it item by item. */
const BATCH_NEEDS_ITEMS = 'OD002';

export function ledgerRefusal(error: unknown): string | null {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === LEDGER_REFUSAL && typeof e.message === 'string' ? e.message : null;
}

/** The state of the current attempt's confirmation prompt; a waiting one past its time (at: the platform clock's) is expired. */
const confirmationState = (at: Date) => sql<string | null>`(SELECT CASE WHEN c.status = 'waiting' AND c.expires_at <= ${at.toISOString()}::timestamptz
  THEN 'expired' ELSE c.status END FROM confirmation_requests c WHERE c.payment_id = payments.id AND c.attempt = payments.attempt)`;

const limitArg = (limit: bigint | null) => (limit === null ? '-1' : limit.toString());

/** reserve_charge(s) and settle_charge run once or twice per Pay: prepared, not rebuilt. */
const RESERVE_CHARGE_SQL =
  'SELECT * FROM reserve_charge($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::jsonb, $19, $20::timestamptz)';
const RESERVE_CHARGES_SQL = 'SELECT * FROM reserve_charges($1::jsonb)';
const RESERVE_CHARGES_EACH_SQL = 'SELECT *, true AS per_item FROM reserve_charges_each($1::jsonb)';
const RESERVE_CHARGES_WITH_PINS_SQL =
  'SELECT * FROM reserve_charges_with_pins($1::jsonb, $2::int[], $3::int[], $4::bigint[], $5::text[], $6::bigint[], $7::text[], $8::uuid[], $9::timestamptz[], $10::int[])';
/** A pinned charge's ClientReference is the transaction id recorded for the PIN it uses (charge_pin_uses). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SETTLE_CHARGE_SQL = 'SELECT settle_charge($1, $2, $3, $4, $5, $6::timestamptz) AS status';
const SETTLE_DEBITED_CHARGE_SQL = 'SELECT settle_debited_charge($1, $2, $3, $4, $5, $6, $7, $8::timestamptz) AS status';

/**
 * How concurrent reservations are grouped (the SQL function takes at most 64 items). One
 * batch at a time per process: PGlite runs one statement at a time anyway, and on
 * PostgreSQL one batch in flight measured a lower p99 and less CPU per Pay than two
 * (larger batches, fewer backends competing for the cores). See docs/performance.md.
 */
export interface ReservationBatching {
  maxBatchSize: number;
  maxBatchesInFlight: number;
}
/**
 * Sees each reservation batch: its size, whether it failed and ran item by item as
 * statements of their own, and whether the database reserved it item by item in its one
 * statement (the unusual batches, see reserve_charges.sql).
 */
export type BatchObserver = (size: number, fellBack: boolean, perItem?: boolean) => void;
const DEFAULT_BATCHING: ReservationBatching = { maxBatchSize: 32, maxBatchesInFlight: 1 };
const MAX_QUEUED_RESERVATIONS = 10_000;

interface ReserveRow {
  outcome: string;
  payment_id: string | null;
  payment_status: string | null;
  attempt: number | null;
  refusal: string | null;
}
type BatchRow = ReserveRow & { item: number; per_item: boolean };

/** The arguments of reserve_charge, named as reserve_charges reads them from JSON. */
function reserveArgs(r: ChargeRecord) {
  return {
    service_id: r.serviceId,
    merchant_id: r.merchantId,
    client_reference: r.clientReference,
    details_hash: r.detailsHash,
    msisdn: r.msisdn,
    operator: r.operator,
    amount_minor: r.amountMinor.toString(),
    currency: r.currency,
    service_code: r.productCode,
    test_subscriber: r.testSubscriber,
    status: initialStatus(r),
    month_period: r.monthPeriod,
    month_limit: limitArg(r.monthLimitMinor),
    year_period: r.yearPeriod,
    year_limit: limitArg(r.yearLimitMinor),
    debit_account: r.debitAccount,
    credit_account: r.creditAccount,
    details: r.details,
    needs_confirmation: r.needsConfirmation,
    reserved_at: r.reservedAt.toISOString(),
  };
}

/**
 * The guesses of a batch's pinned items as reserve_charges_with_pins reads them: one array
 * per field, in rounds (round n holds the n-th guess at each PIN), each guess built from its
 * item's own record (i: the item's index), so the PIN judged is the one of the item's MSISDN.
 */
function pinArgs(records: readonly ChargeRecord[]) {
  const indexes: number[] = [];
  const guesses: PinAttempt[] = [];
  records.forEach((r, i) => {
    if (!r.pin) return;
    assert(UUID.test(r.clientReference), 'a charge approved by PIN has a UUID as its reference');
    indexes.push(i);
    guesses.push({
      endpointId: r.pin.endpointId, msisdn: r.msisdn, productId: r.pin.productId, pinHash: r.pin.pinHash,
      transactionId: r.clientReference, now: r.reservedAt, maxAttempts: r.pin.maxAttempts,
    });
  });
  const ordered = statementRounds(guesses).flatMap((round, n) => round.map((g) => ({ g, round: n + 1 })));
  return [
    ordered.map(({ g }) => indexes[g] as number),
    ordered.map(({ round }) => round),
    ...guessColumns(ordered.map(({ g }) => guesses[g] as PinAttempt)),
  ];
}

/** Policy, decided here and passed in: a charge the operator need not be asked about is paid at once. */
function initialStatus(r: ChargeRecord): 'paid' | 'pending' {
  return r.paidAtOnce || r.testSubscriber ? 'paid' : 'pending';
}

function settledOutcome(row: ReserveRow): PromiseSettledResult<ReserveOutcome> {
  try {
    return { status: 'fulfilled', value: toReserveOutcome(row) };
  } catch (error) {
    return { status: 'rejected', reason: error };
  }
}

function toReserveOutcome(row: ReserveRow): ReserveOutcome {
  if (row.outcome === 'pin_refused') {
    const reason = row.refusal;
    if (reason === 'wrong_pin' || reason === 'used' || reason === 'expired' || reason === 'salted') return { kind: 'pin_refused', reason };
    throw new Error(`reserve_charges_with_pins refused for an unknown reason: ${reason}`);
  }
  if (row.outcome === 'refused') {
    const reason = row.refusal;
    if (reason === 'blocked' || reason === 'limit_monthly' || reason === 'limit_yearly') return { kind: 'refused', reason };
    throw new Error(`reserve_charge refused for an unknown reason: ${reason}`);
  }
  const paymentId = Number(row.payment_id);
  const status = row.payment_status as PaymentStatus;
  if (row.outcome === 'reserved') {
    if (status !== 'pending' && status !== 'paid') throw new Error(`reserve_charge reserved as ${status}`);
    return { kind: 'reserved', paymentId, attempt: Number(row.attempt), status };
  }
  if (row.outcome === 'duplicate') return { kind: 'duplicate', paymentId, status };
  if (row.outcome === 'conflict') return { kind: 'conflict', paymentId };
  throw new Error(`reserve_charge answered an unknown outcome: ${row.outcome}`);
}

export class SqlPaymentRepository implements PaymentRepository {
  private readonly db: Kysely<Schema>;

  readonly #reservations: Batcher<ChargeRecord, ReserveOutcome>;

  readonly #observeBatch: BatchObserver;

  constructor(
    private readonly database: Database,
    options: { batching?: ReservationBatching; observeBatch?: BatchObserver } = {},
  ) {
    this.db = database.kysely;
    this.#observeBatch = options.observeBatch ?? (() => {});
    const limits = { ...(options.batching ?? DEFAULT_BATCHING), maxQueued: MAX_QUEUED_RESERVATIONS };
    this.#reservations = new Batcher((records) => this.#reserveBatch(records), limits);
  }

  reserveCharge(record: ChargeRecord): Promise<ReserveOutcome> {
    return this.#reservations.submit(record);
  }

  /**
   * One statement for the whole batch; a lone item takes the plain statement, without
   * subtransaction. A batch with PINs judges them in its statement (reserve_charges_with_pins).
   */
  async #reserveBatch(records: readonly ChargeRecord[]): Promise<PromiseSettledResult<ReserveOutcome>[]> {
    if (records.length === 1) {
      this.#observeBatch(1, false);
      return Promise.allSettled(records.map((record) => this.#reserveOne(record)));
    }
    let rows: BatchRow[];
    try {
      rows = await this.#reserveTogether(records);
    } catch {
      // A failure the batch did not expect (a deadlock between batches, a broken item)
      // must not fail its neighbours: each item runs alone, and only the culprit fails.
      // Idempotency makes this safe even if the batch did commit: its items answer duplicate.
      this.#observeBatch(records.length, true);
      return Promise.allSettled(records.map((record) => this.#reserveOne(record)));
    }
    this.#observeBatch(records.length, false, rows[0]?.per_item === true);
    assert(rows.length === records.length, `reserve_charges answered ${rows.length} rows for ${records.length} items`);
    const outcomes: PromiseSettledResult<ReserveOutcome>[] = new Array(records.length);
    for (const row of rows) {
      // Each item answered exactly once: a gap would leave its caller waiting for ever.
      assert(Number.isInteger(row.item) && row.item >= 0 && row.item < records.length, `reserve_charges answered item ${row.item}`);
      assert(outcomes[row.item] === undefined, `reserve_charges answered item ${row.item} twice`);
      outcomes[row.item] = settledOutcome(row);
    }
    return outcomes;
  }

  /** Set-based; a batch the set-based statement hands back (OD002) goes item by item in one statement. */
  async #reserveTogether(records: readonly ChargeRecord[]): Promise<BatchRow[]> {
    const items = JSON.stringify(records.map((record, index) => ({ i: index, ...reserveArgs(record) })));
    if (records.some((record) => record.pin)) {
      return this.database.prepared<BatchRow>('reserve_charges_with_pins', RESERVE_CHARGES_WITH_PINS_SQL, [items, ...pinArgs(records)]);
    }
    try {
      return await this.database.prepared<BatchRow>('reserve_charges', RESERVE_CHARGES_SQL, [items]);
    } catch (error) {
      if ((error as { code?: unknown })?.code !== BATCH_NEEDS_ITEMS) throw error;
      return this.database.prepared<BatchRow>('reserve_charges_each', RESERVE_CHARGES_EACH_SQL, [items]);
    }
  }

  async #reserveOne(record: ChargeRecord): Promise<ReserveOutcome> {
    if (record.pin) {
      const rows = await this.#reserveTogether([record]);
      assert(rows.length === 1 && rows[0]?.item === 0, `reserve_charges_with_pins answered ${rows.length} rows for one item`);
      return toReserveOutcome(rows[0]);
    }
    const a = reserveArgs(record);
    try {
      const rows = await this.database.prepared<ReserveRow>('reserve_charge', RESERVE_CHARGE_SQL, [
        a.service_id, a.merchant_id, a.client_reference, a.details_hash, a.msisdn, a.operator, a.amount_minor, a.currency,
        a.service_code, a.test_subscriber, a.status, a.month_period, a.month_limit, a.year_period, a.year_limit,
        a.debit_account, a.credit_account, JSON.stringify(a.details), a.needs_confirmation, a.reserved_at,
      ]);
      const row = rows[0];
      if (!row) throw new Error('reserve_charge returned no row');
      return toReserveOutcome({ ...row, refusal: null });
    } catch (error) {
      const reason = ledgerRefusal(error);
      if (reason === null) throw error;
      return toReserveOutcome({ outcome: 'refused', payment_id: null, payment_status: null, attempt: null, refusal: reason });
    }
  }

  async findByReference(serviceId: number, clientReference: string, at: Date): Promise<PendingPayment | null> {
    const row = await this.db
      .selectFrom('payments')
      .selectAll()
      .select(confirmationState(at).as('confirmation'))
      .where('service_id', '=', serviceId)
      .where('client_reference', '=', clientReference)
      .executeTakeFirst();
    return row ? toPayment(row) : null;
  }

  async reverse(serviceId: number, paymentId: number, reversedAt: Date): Promise<ReverseOutcome> {
    const { rows } = await sql<{ outcome: string; payment_status: string | null; client_reference: string | null }>`
      SELECT * FROM reverse_payment(${serviceId}, ${paymentId}, ${reversedAt.toISOString()}::timestamptz)`.execute(this.db);
    const row = rows[0];
    if (!row || row.outcome === 'not_found') return { kind: 'not_found' };
    if (row.outcome === 'not_paid') return { kind: 'not_paid', status: row.payment_status as PaymentStatus };
    return { kind: row.outcome as 'reversed' | 'already_reversed', clientReference: String(row.client_reference) };
  }

  async listPending({ at, createdBefore, limit, after }: PendingQuery): Promise<PendingPayment[]> {
    const confirmation = confirmationState(at);
    let query = this.db
      .selectFrom('payments')
      .selectAll()
      .select(confirmation.as('confirmation'))
      .where('status', '=', 'pending')
      .where('created_at', '<', createdBefore)
      // A payment whose subscriber is still being asked belongs to the request that asks.
      .where(sql<boolean>`${confirmation} IS DISTINCT FROM 'waiting'`);
    if (after) query = query.where('id', '>', after.paymentId);
    // By id, which follows creation: a cursor on the exact id cannot skip or repeat rows, as
    // one on created_at could (a batch's payments share one, to the microsecond).
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map(toPayment);
  }

  async settle(
    paymentId: number,
    attempt: number,
    status: 'paid' | 'failed',
    debitAccount: string,
    creditAccount: string,
    settledAt: Date,
  ): Promise<PaymentStatus | 'superseded'> {
    return this.#settleWith('settle_charge', SETTLE_CHARGE_SQL, paymentId, [
      paymentId, attempt, status, debitAccount, creditAccount, settledAt.toISOString(),
    ]);
  }

  async settleDebited(
    debit: { paymentId: number; attempt: number; msisdn: Msisdn; amountMinor: bigint; currency: Currency },
    debitAccount: string,
    creditAccount: string,
    settledAt: Date,
  ): Promise<PaymentStatus | 'superseded'> {
    return this.#settleWith('settle_debited_charge', SETTLE_DEBITED_CHARGE_SQL, debit.paymentId, [
      debit.paymentId, debit.attempt, debitAccount, creditAccount, debit.msisdn, debit.amountMinor.toString(), debit.currency,
      settledAt.toISOString(),
    ]);
  }

  /** Runs one of the settle functions, which answer the payment's status afterwards. */
  async #settleWith(name: string, text: string, paymentId: number, params: readonly unknown[]): Promise<PaymentStatus | 'superseded'> {
    const rows = await this.database.prepared<{ status: string }>(name, text, params);
    const settled = rows[0]?.status;
    if (!settled) throw new Error(`${name} found no payment ${paymentId}`);
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
  needs_confirmation: boolean;
  details_hash: string;
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
    needsConfirmation: row.needs_confirmation,
    detailsHash: row.details_hash,
    createdAt: new Date(row.created_at),
    confirmation: (row.confirmation ?? 'none') as PendingPayment['confirmation'],
  };
}
