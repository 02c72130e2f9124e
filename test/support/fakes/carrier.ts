import type { CarrierNetwork, CreditRequest, DebitOutcome, DebitRequest, SubscriberProfile } from '../../../src/core/carrier/ports.js';
import type { Msisdn } from '../../../src/kernel/msisdn.js';

const NORWAY = { mccMnc: '242-02', name: 'Telia', country: 'NO', currency: 'NOK' } as const;

/** A chargeable subscriber; overrides make the unusual ones. */
export function profileOf(msisdn: string, overrides: Partial<SubscriberProfile> = {}): SubscriberProfile {
  return {
    msisdn: msisdn as Msisdn,
    operator: NORWAY,
    portedFrom: null,
    known: true,
    registration: 'eligible',
    age: 30,
    subscription: 'prepaid',
    fundingSource: 'operator',
    limits: { perTransactionMinor: 500_000n, monthlyMinor: 500_000n, yearlyMinor: null },
    billing: 'realtime',
    whitelisted: false,
    terminalType: 'unknown',
    ...overrides,
  };
}

/**
 * CarrierNetwork in memory: profiles by number (a chargeable one by default), debits
 * answered by a script (debited unless told), statuses from what it debited, credits kept.
 */
export class FakeCarrier implements CarrierNetwork {
  readonly profiles = new Map<string, SubscriberProfile>();
  /** The next debits' answers, in order; 'throw' is a broken line. */
  readonly debitScript: Array<DebitOutcome | 'throw'> = [];
  readonly debits: DebitRequest[] = [];
  readonly statusAsked: string[] = [];
  readonly credits: CreditRequest[] = [];
  /** What debitStatus answers for a reference; by default what debit did. */
  readonly statuses = new Map<string, DebitOutcome>();

  async subscriber(msisdn: Msisdn): Promise<SubscriberProfile> {
    return this.profiles.get(msisdn) ?? profileOf(msisdn);
  }

  async debit(request: DebitRequest): Promise<DebitOutcome> {
    this.debits.push(request);
    const next = this.debitScript.shift() ?? { kind: 'debited' };
    if (next === 'throw') throw new Error('the line to the operator broke');
    if (!this.statuses.has(request.reference)) this.statuses.set(request.reference, next);
    return next;
  }

  async debitStatus(request: DebitRequest): Promise<DebitOutcome> {
    this.statusAsked.push(request.reference);
    return this.statuses.get(request.reference) ?? { kind: 'refused', reason: 'operator_error' };
  }

  async credit(request: CreditRequest): Promise<void> {
    this.credits.push(request);
  }
}
