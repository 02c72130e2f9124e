import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { CarrierNetwork, SubscriberProfile } from '../carrier/ports.js';
import { checkPeriodLimits, checkSubscriber, remainingMinor } from '../limits/rules.js';
import type { ServiceContext } from '../merchants/types.js';
import type { ChargeError } from '../payments/errors.js';
import { checkPrice, type PricePolicy } from '../pricing/policy.js';
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
  /** The prices the facade's product rules allow. */
  readonly pricePolicy: PricePolicy;
  /** The minimum age, any whole number of years (checked to be at or above it). */
  readonly minimumAge?: number | undefined;
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
    const priceViolation = checkPrice(sale.amountMinor, sale.pricePolicy);
    if (priceViolation) return priceViolation;
    const profile = await this.#profile(sale.msisdn, loaded);
    const violation = checkSubscriber(profile, sale.amountMinor, service.currency, sale.minimumAge);
    if (violation) return violation;
    const unverified = await verificationViolation(this.deps.verifiedMsisdns, service, sale.msisdn);
    if (unverified) return unverified;
    if (await this.deps.blocklist.isBlocked(sale.msisdn)) return { kind: 'blacklisted' };
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
