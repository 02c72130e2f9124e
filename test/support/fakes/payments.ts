import type { Currency } from '../../../src/kernel/money.js';
import type {
  ChargeRecord,
  PaymentRepository,
  PendingPayment,
  PendingQuery,
  ReserveOutcome,
  ReverseOutcome,
} from '../../../src/core/payments/ports.js';
import type { PaymentStatus, PinRefusal } from '../../../src/core/payments/types.js';
import type { Msisdn } from '../../../src/kernel/msisdn.js';

interface Row {
  paymentId: number;
  record: ChargeRecord;
  attempt: number;
  status: PaymentStatus;
  createdAt: Date;
  confirmation: PendingPayment['confirmation'];
}

export interface JournalEntry {
  readonly paymentId: number;
  readonly kind: 'charge' | 'reversal';
  readonly debitAccount: string;
  readonly creditAccount: string;
  readonly amountMinor: bigint;
}

/**
 * PaymentRepository in memory, with the SQL functions' semantics: reservation is
 * idempotent on (service, reference) — the same details answer 'duplicate', others
 * 'conflict', a failed row is retried as its next attempt —, refuses blocked numbers and
 * charges past a period limit without keeping anything of the attempt, journals a paid
 * charge once, and settles only the current pending attempt. Each method completes before
 * it yields, as each SQL call is one transaction.
 */
export class InMemoryPayments implements PaymentRepository {
  readonly rows: Row[] = [];
  readonly journal: JournalEntry[] = [];
  /** carrier.credit events queued by settleDebited: the debit references to give back. */
  readonly creditsQueued: string[] = [];
  readonly blocked = new Set<string>();
  /** Spend per msisdn, currency and period. */
  readonly spend = new Map<string, bigint>();

  /** PINs a test declared refused, by their hash: any other PIN a record carries approves it. */
  readonly pinRefusals = new Map<string, PinRefusal>();

  async reserveCharge(record: ChargeRecord): Promise<ReserveOutcome> {
    const pinRefusal = record.pin ? this.pinRefusals.get(record.pin.pinHash) : undefined;
    if (pinRefusal) return { kind: 'pin_refused', reason: pinRefusal };
    const existing = this.#byReference(record.serviceId, record.clientReference);
    if (existing && existing.status !== 'failed') {
      const kind = existing.record.detailsHash === record.detailsHash ? 'duplicate' : 'conflict';
      return kind === 'duplicate' ? { kind, paymentId: existing.paymentId, status: existing.status } : { kind, paymentId: existing.paymentId };
    }
    if (this.blocked.has(record.msisdn)) return { kind: 'refused', reason: 'blocked' };
    if (!record.testSubscriber) {
      const month = this.#spent(record, record.monthPeriod) + record.amountMinor;
      const year = this.#spent(record, record.yearPeriod) + record.amountMinor;
      if (record.monthLimitMinor !== null && month > record.monthLimitMinor) return { kind: 'refused', reason: 'limit_monthly' };
      if (record.yearLimitMinor !== null && year > record.yearLimitMinor) return { kind: 'refused', reason: 'limit_yearly' };
      this.spend.set(this.#spendKey(record, record.monthPeriod), month);
      this.spend.set(this.#spendKey(record, record.yearPeriod), year);
    }
    const status: PaymentStatus = record.paidAtOnce || record.testSubscriber ? 'paid' : 'pending';
    const row: Row = existing
      ? Object.assign(existing, { record, attempt: existing.attempt + 1, status, createdAt: record.reservedAt, confirmation: 'none' as const })
      : { paymentId: this.rows.length + 1, record, attempt: 1, status, createdAt: record.reservedAt, confirmation: 'none' };
    if (!existing) this.rows.push(row);
    if (status === 'paid') this.#journal(row, 'charge');
    return { kind: 'reserved', paymentId: row.paymentId, attempt: row.attempt, status };
  }

  async findByReference(serviceId: number, clientReference: string, _at: Date): Promise<PendingPayment | null> {
    const row = this.#byReference(serviceId, clientReference);
    return row ? this.#view(row) : null;
  }

  async reverse(serviceId: number, paymentId: number, _reversedAt: Date): Promise<ReverseOutcome> {
    const row = this.rows.find((r) => r.paymentId === paymentId && r.record.serviceId === serviceId);
    if (!row) return { kind: 'not_found' };
    if (row.status === 'reversed') return { kind: 'already_reversed', clientReference: row.record.clientReference };
    if (row.status !== 'paid') return { kind: 'not_paid', status: row.status };
    row.status = 'reversed';
    this.#release(row);
    this.#journal(row, 'reversal');
    return { kind: 'reversed', clientReference: row.record.clientReference };
  }

  async listPending({ createdBefore, limit, after }: PendingQuery): Promise<PendingPayment[]> {
    return this.rows
      .filter((r) => r.status === 'pending' && r.createdAt < createdBefore && r.paymentId > (after?.paymentId ?? 0))
      .slice(0, limit)
      .map((r) => this.#view(r));
  }

  async settle(
    paymentId: number,
    attempt: number,
    status: 'paid' | 'failed',
    debitAccount: string,
    creditAccount: string,
    _settledAt: Date,
  ): Promise<PaymentStatus | 'superseded'> {
    const row = this.rows.find((r) => r.paymentId === paymentId);
    if (!row) throw new Error(`no payment ${paymentId}`);
    if (row.attempt !== attempt) return 'superseded';
    if (row.status !== 'pending') return row.status;
    row.status = status;
    if (status === 'paid') this.journal.push({ paymentId, kind: 'charge', debitAccount, creditAccount, amountMinor: row.record.amountMinor });
    else this.#release(row);
    return status;
  }

  async settleDebited(
    debit: { paymentId: number; attempt: number },
    debitAccount: string,
    creditAccount: string,
    settledAt: Date,
  ): Promise<PaymentStatus | 'superseded'> {
    const settled = await this.settle(debit.paymentId, debit.attempt, 'paid', debitAccount, creditAccount, settledAt);
    const reference = `${debit.paymentId}.${debit.attempt}`;
    if ((settled === 'failed' || settled === 'superseded') && !this.creditsQueued.includes(reference)) this.creditsQueued.push(reference);
    return settled;
  }

  async spentInPeriods(msisdn: Msisdn, currency: Currency, periods: readonly string[]): Promise<Map<string, bigint>> {
    return new Map(periods.map((period) => [period, this.spend.get(`${msisdn}:${currency}:${period}`) ?? 0n]));
  }

  /** The subscriber's answer to the current attempt's prompt, as the confirmation table records it. */
  answer(paymentId: number, confirmation: PendingPayment['confirmation']): void {
    const row = this.rows.find((r) => r.paymentId === paymentId);
    if (!row) throw new Error(`no payment ${paymentId}`);
    row.confirmation = confirmation;
  }

  #byReference(serviceId: number, clientReference: string): Row | undefined {
    return this.rows.find((r) => r.record.serviceId === serviceId && r.record.clientReference === clientReference);
  }

  #spendKey(record: ChargeRecord, period: string): string {
    return `${record.msisdn}:${record.currency}:${period}`;
  }

  #spent(record: ChargeRecord, period: string): bigint {
    return this.spend.get(this.#spendKey(record, period)) ?? 0n;
  }

  #release(row: Row): void {
    if (row.record.testSubscriber) return;
    for (const period of [row.record.monthPeriod, row.record.yearPeriod]) {
      const key = this.#spendKey(row.record, period);
      this.spend.set(key, (this.spend.get(key) ?? 0n) - row.record.amountMinor);
    }
  }

  #journal(row: Row, kind: JournalEntry['kind']): void {
    const [debitAccount, creditAccount] =
      kind === 'charge' ? [row.record.debitAccount, row.record.creditAccount] : [row.record.creditAccount, row.record.debitAccount];
    this.journal.push({ paymentId: row.paymentId, kind, debitAccount, creditAccount, amountMinor: row.record.amountMinor });
  }

  #view(row: Row): PendingPayment {
    const r = row.record;
    return {
      paymentId: row.paymentId,
      clientReference: r.clientReference,
      status: row.status,
      msisdn: r.msisdn,
      amountMinor: r.amountMinor,
      currency: r.currency,
      createdAt: row.createdAt,
      serviceId: r.serviceId,
      merchantId: r.merchantId,
      operator: r.operator,
      attempt: row.attempt,
      needsConfirmation: r.needsConfirmation,
      detailsHash: r.detailsHash,
      confirmation: row.confirmation,
    };
  }
}
