import type { Clock } from '../../kernel/clock.js';
import { monthPeriod, yearPeriod } from '../../kernel/clock.js';
import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { CarrierNetwork, SubscriberProfile } from '../carrier/ports.js';
import { checkPeriodLimits, checkPrice, checkSubscriber, type RequiredAge, remainingMinor } from '../limits/rules.js';
import type { ServiceContext } from '../merchants/types.js';
import type { ChargeError } from '../payments/types.js';

/** What the subscriber has spent per period (the payments ledger answers it). */
export interface SpendingPort {
  spentInPeriods(msisdn: Msisdn, currency: Currency, periods: readonly string[]): Promise<Map<string, bigint>>;
}

/** The platform operator's blocklist. */
export interface BlocklistPort {
  isBlocked(msisdn: Msisdn): Promise<boolean>;
}

export interface SubscriberLimitsView {
  readonly profile: SubscriberProfile;
  readonly maxPerTransactionMinor: bigint;
  /** null: no limit applies. */
  readonly remainingMonthMinor: bigint | null;
  readonly remainingYearMinor: bigint | null;
}

export interface SaleCheck {
  readonly msisdn: Msisdn;
  readonly amountMinor: bigint;
  readonly serviceCode: string;
  readonly requiredAge?: RequiredAge | undefined;
}

/**
 * What merchants may learn about a subscriber before charging: registration, limits,
 * and whether a given sale would pass. The sale check applies Pay's own rules
 * (limits/rules.ts) in Pay's order; only Pay enforces them atomically.
 */
export class SubscriberInfoService {
  constructor(
    private readonly deps: { carrier: CarrierNetwork; spending: SpendingPort; blocklist: BlocklistPort; clock: Clock },
  ) {}

  profile(msisdn: Msisdn): Promise<SubscriberProfile> {
    return this.deps.carrier.subscriber(msisdn);
  }

  async limits(service: ServiceContext, msisdn: Msisdn): Promise<SubscriberLimitsView> {
    const profile = await this.deps.carrier.subscriber(msisdn);
    return { profile, maxPerTransactionMinor: profile.limits.perTransactionMinor, ...(await this.#remaining(service, profile)) };
  }

  /** null when a Pay with these details would pass the platform's rules now. */
  async checkSale(service: ServiceContext, sale: SaleCheck): Promise<ChargeError | null> {
    const priceViolation = checkPrice(sale.amountMinor, sale.serviceCode);
    if (priceViolation) return priceViolation;
    const profile = await this.deps.carrier.subscriber(sale.msisdn);
    const violation = checkSubscriber(profile, sale.amountMinor, service.currency, sale.requiredAge);
    if (violation) return violation;
    if (await this.deps.blocklist.isBlocked(sale.msisdn)) return { kind: 'blacklisted', message: 'The msisdn is blacklisted' };
    if (profile.whitelisted) return null;
    const remaining = await this.#remaining(service, profile);
    return checkPeriodLimits(sale.amountMinor, { monthMinor: remaining.remainingMonthMinor, yearMinor: remaining.remainingYearMinor });
  }

  async #remaining(service: ServiceContext, profile: SubscriberProfile) {
    const now = this.deps.clock.now();
    const [month, year] = [monthPeriod(now), yearPeriod(now)];
    const spent = await this.deps.spending.spentInPeriods(profile.msisdn, service.currency, [month, year]);
    return {
      remainingMonthMinor: remainingMinor(profile.limits.monthlyMinor, spent.get(month) ?? 0n),
      remainingYearMinor: remainingMinor(profile.limits.yearlyMinor, spent.get(year) ?? 0n),
    };
  }
}
