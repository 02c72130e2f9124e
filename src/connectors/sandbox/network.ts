import type { CarrierNetwork, CreditRequest, DebitOutcome, DebitRequest, SubscriberProfile } from '../../core/carrier/ports.js';
import type { Clock } from '../../kernel/clock.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { TtlCache } from '../../kernel/ttl-cache.js';
import { SANDBOX_LATE_ANSWER_MS, type SandboxSubscriber, sandboxSubscriber } from './profiles.js';

// Profiles are a pure function of the number: caching them changes no answer.
const PROFILE_CACHE_ENTRIES = 50_000;
const PROFILE_CACHE_TTL_MS = 10 * 60_000;

/** Where the sandbox keeps prepaid balances (a table beside the ledger). */
export interface SandboxPrepaidStore {
  /** at: when the debit is made, by the platform's clock. */
  debit(reference: string, msisdn: string, amountMinor: bigint, initialBalanceMinor: bigint, at: Date): Promise<'debited' | 'insufficient_funds'>;
  credit(reference: string): Promise<void>;
}

/**
 * The simulated carrier network. Every answer follows from the number (see
 * profiles.ts) and, for prepaid numbers, from the balance in the store: no state in
 * the process, so any number of server processes give the same answers.
 */
export class SandboxNetwork implements CarrierNetwork {
  readonly #profiles = new TtlCache<string, SandboxSubscriber>(PROFILE_CACHE_ENTRIES, PROFILE_CACHE_TTL_MS);

  constructor(
    private readonly prepaid: SandboxPrepaidStore,
    private readonly clock: Clock,
  ) {}

  async subscriber(msisdn: Msisdn): Promise<SubscriberProfile> {
    return this.#lookup(msisdn).profile;
  }

  async debit(request: DebitRequest): Promise<DebitOutcome> {
    const subscriber = this.#lookup(request.msisdn);
    if (!subscriber.profile.known) return { kind: 'refused', reason: 'unknown_subscriber' };
    switch (subscriber.debit) {
      case 'succeeds':
        return { kind: 'debited' };
      case 'late':
        return { kind: 'unknown' };
      case 'operator_error':
        return { kind: 'refused', reason: 'operator_error' };
      case 'prepaid': {
        const { reference, msisdn, amountMinor } = request;
        const result = await this.prepaid.debit(reference, msisdn, amountMinor, subscriber.prepaidBalanceMinor, this.clock.now());
        return result === 'debited' ? { kind: 'debited' } : { kind: 'refused', reason: 'insufficient_funds' };
      }
    }
  }

  async debitStatus(request: DebitRequest, requestedAt: Date): Promise<DebitOutcome> {
    const subscriber = this.#lookup(request.msisdn);
    if (subscriber.debit !== 'late') return this.debit(request);
    const waitedMs = this.clock.now().getTime() - requestedAt.getTime();
    return waitedMs >= SANDBOX_LATE_ANSWER_MS ? { kind: 'debited' } : { kind: 'unknown' };
  }

  async credit(request: CreditRequest): Promise<void> {
    if (this.#lookup(request.msisdn).debit === 'prepaid') await this.prepaid.credit(request.reference);
  }

  #lookup(msisdn: Msisdn): SandboxSubscriber {
    let subscriber = this.#profiles.get(msisdn);
    if (!subscriber) {
      subscriber = sandboxSubscriber(msisdn);
      this.#profiles.set(msisdn, subscriber);
    }
    return subscriber;
  }
}
