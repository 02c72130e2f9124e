import type { ChargeRecord, ReserveOutcome } from '../../src/core/payments/ports.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import type { Database } from '../../src/storage/db.js';
import { uniqueReference } from './app.js';

/** Where a test's charge records come from: its own service, reference prefix and number range. */
export interface ChargeRecordSource {
  readonly serviceId: number;
  readonly merchantId: () => number;
  /** Six digits after +47: each test file its own range, so files never share a subscriber. */
  readonly msisdnPrefix: string;
  readonly referencePrefix: string;
}

/** Fresh numbers and postpaid NOK charge records of 100 øre, paid at once, limits far away. */
export function chargeRecords(source: ChargeRecordSource) {
  let msisdnCounter = 0;
  const freshMsisdn = () => `+47${source.msisdnPrefix}${String((msisdnCounter += 1)).padStart(4, '0')}` as Msisdn;
  const record = (overrides: Partial<ChargeRecord> = {}): ChargeRecord => ({
    serviceId: source.serviceId,
    merchantId: source.merchantId(),
    clientReference: uniqueReference(source.referencePrefix),
    detailsHash: 'same-details',
    msisdn: freshMsisdn(),
    operator: '242-01',
    amountMinor: 100n,
    currency: 'NOK',
    productCode: '10002',
    testSubscriber: false,
    paidAtOnce: true,
    needsConfirmation: false,
    monthPeriod: 'M2026-11',
    monthLimitMinor: 500_000n,
    yearPeriod: 'Y2026',
    yearLimitMinor: null,
    debitAccount: 'operator:242-01:NOK',
    creditAccount: `merchant:${source.merchantId()}:NOK`,
    details: {},
    reservedAt: new Date('2026-11-15T12:00:00Z'),
    ...overrides,
  });
  return { freshMsisdn, record };
}

/** The database, recording the name of each prepared (hot-path) statement called through it. */
export function recordingPrepared(db: Database, statements: string[]): Database {
  return {
    ...db,
    prepared: (name, text, params) => {
      statements.push(name);
      return db.prepared(name, text, params);
    },
  };
}

/**
 * Each reservation's outcome as a line to compare: `reserved paid` (with `attempt N` when
 * asked), `refused blocked`, `pin_refused used`, `duplicate`, or `error <SQLSTATE>`.
 */
export function reservationKinds(results: readonly PromiseSettledResult<ReserveOutcome>[], options: { attempts?: boolean } = {}): string[] {
  return results.map((r) => {
    if (r.status === 'rejected') return `error ${(r.reason as { code?: string }).code}`;
    const o = r.value;
    if (o.kind === 'refused' || o.kind === 'pin_refused') return `${o.kind} ${o.reason}`;
    if (o.kind !== 'reserved') return o.kind;
    return options.attempts ? `reserved ${o.status} attempt ${o.attempt}` : `reserved ${o.status}`;
  });
}
