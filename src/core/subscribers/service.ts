import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { CarrierNetwork, SubscriberProfile } from '../carrier/ports.js';
import { checkPeriodLimits, checkPrice, checkSubscriber, remainingMinor } from '../limits/rules.js';
import type { ServiceContext } from '../merchants/types.js';
import type { ChargeError } from '../payments/types.js';
import { type VerifiedMsisdns, verificationViolation } from '../verification/requirement.js';

/** What the subscriber has spent in the month and year of a moment (PaymentService answers it). */
export interface SpendingPort {
  spent(msisdn: Msisdn, currency: Currency, at: Date): Promise<{ monthMinor: bigint; yearMinor: bigint }>;
}

/** The platform operator's blocklist. */
export interface BlocklistPort {
  isBlocked(msisdn: Msisdn): Promise<boolean>;
}

export interface SubscriberLimitsView {
  readonly profile: SubscriberProfile;
  readonly maxPerTransactionMinor: bigint;
  /** What is left of this month's and year's limits; null: no limit applies. */
  readonly remaining: { readonly monthMinor: bigint | null; readonly yearMinor: bigint | null };
}

export interface SaleCheck {
  readonly msisdn: Msisdn;
  readonly amountMinor: bigint;
  readonly serviceCode: string;
  /** The minimum age, any whole number of years (checked to be at or above it). */
  readonly requiredAge?: number | undefined;
}

/**
 * What merchants may learn about a subscriber before charging: registration, limits,
 * and whether a given sale would pass. The sale check applies Pay's own rules
 * (limits/rules.ts) in Pay's order; only Pay enforces them atomically.
 */
export class SubscriberInfoService {
  constructor(
    private readonly deps: {
      carrier: CarrierNetwork;
      spending: SpendingPort;
      blocklist: BlocklistPort;
      verifiedMsisdns?: VerifiedMsisdns;
      clock: Clock;
    },
  ) {}

  profile(msisdn: Msisdn): Promise<SubscriberProfile> {
    return this.deps.carrier.subscriber(msisdn);
  }

  /** A profile the caller already has is used instead of asking the operator again. */
  async limits(service: ServiceContext, msisdn: Msisdn, loaded?: SubscriberProfile): Promise<SubscriberLimitsView> {
    const profile = await this.#profile(msisdn, loaded);
    return { profile, maxPerTransactionMinor: profile.limits.perTransactionMinor, remaining: await this.#remaining(service, profile) };
  }

  /** null when a Pay with these details would pass the platform's rules now. */
  async checkSale(service: ServiceContext, sale: SaleCheck, loaded?: SubscriberProfile): Promise<ChargeError | null> {
    const priceViolation = checkPrice(sale.amountMinor, sale.serviceCode);
    if (priceViolation) return priceViolation;
    const profile = await this.#profile(sale.msisdn, loaded);
    const violation = checkSubscriber(profile, sale.amountMinor, service.currency, sale.requiredAge);
    if (violation) return violation;
    const unverified = await verificationViolation(this.deps.verifiedMsisdns, service, sale.msisdn);
    if (unverified) return unverified;
    if (await this.deps.blocklist.isBlocked(sale.msisdn)) return { kind: 'blacklisted', message: 'The msisdn is blacklisted' };
    if (profile.whitelisted) return null;
    return checkPeriodLimits(sale.amountMinor, await this.#remaining(service, profile));
  }

  async #profile(msisdn: Msisdn, loaded: SubscriberProfile | undefined): Promise<SubscriberProfile> {
    if (loaded === undefined) return this.deps.carrier.subscriber(msisdn);
    assert(loaded.msisdn === msisdn, 'a loaded profile must be of the subscriber asked about');
    return loaded;
  }

  async #remaining(service: ServiceContext, profile: SubscriberProfile) {
    const spent = await this.deps.spending.spent(profile.msisdn, service.currency, this.deps.clock.now());
    return {
      monthMinor: remainingMinor(profile.limits.monthlyMinor, spent.monthMinor),
      yearMinor: remainingMinor(profile.limits.yearlyMinor, spent.yearMinor),
    };
  }
}
