import type { Currency } from '../../kernel/money.js';
import type { SubscriberProfile } from '../carrier/ports.js';
import type { PeriodLimitRefusal, SubscriberRefusal } from '../payments/errors.js';

/**
 * Whether the subscriber may be charged this amount at all: registration, age, the
 * per-transaction limit and currency. Period limits (month, year) need the ledger and
 * are enforced atomically where the charge is recorded.
 */
export function checkSubscriber(
  profile: SubscriberProfile,
  amountMinor: bigint,
  currency: Currency,
  /** The minimum age in whole years, as the facade's request sets it. */
  minimumAge: number | undefined,
): SubscriberRefusal | null {
  if (!profile.known) return { kind: 'unknown_subscriber' };
  if (profile.registration === 'barred') return { kind: 'barred' };
  if (profile.registration === 'unregistered') return { kind: 'unregistered' };
  if (profile.registration === 'registered') return { kind: 'not_licensed' };
  if (profile.operator.currency !== currency) return { kind: 'unsupported_network', operatorName: profile.operator.name, currency };
  if (minimumAge !== undefined && (profile.age === null || profile.age < minimumAge)) return { kind: 'underage', minimumAge };
  if (amountMinor > profile.limits.perTransactionMinor) {
    return { kind: 'limit_per_charge_exceeded', amountMinor, limitMinor: profile.limits.perTransactionMinor };
  }
  return null;
}

/**
 * What is left of a period limit after spentMinor: null when no limit applies, never
 * below zero. The ledger enforces the same rule atomically when a charge is reserved
 * (reserve_charge refuses when spent + amount > limit); this is its read-only twin for
 * reports and sell checks.
 */
export function remainingMinor(limitMinor: bigint | null, spentMinor: bigint): bigint | null {
  if (limitMinor === null) return null;
  return spentMinor >= limitMinor ? 0n : limitMinor - spentMinor;
}

/** Whether amountMinor still fits the subscriber's month and year. */
export function checkPeriodLimits(
  amountMinor: bigint,
  remaining: { monthMinor: bigint | null; yearMinor: bigint | null },
): PeriodLimitRefusal | null {
  if (remaining.monthMinor !== null && amountMinor > remaining.monthMinor) return { kind: 'limit_monthly_exceeded' };
  if (remaining.yearMinor !== null && amountMinor > remaining.yearMinor) return { kind: 'limit_yearly_exceeded' };
  return null;
}
