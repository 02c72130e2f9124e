import type { SubscriberProfile } from '../carrier/ports.js';
import { BUSINESS_MODELS, SERVICE_CODES } from './catalogue.js';

export interface PriceRange {
  readonly minMinor: bigint;
  readonly maxMinor: bigint;
}

export const ALLOWED_AGES = [16, 18] as const;
export type RequiredAge = (typeof ALLOWED_AGES)[number];

export type RuleViolation =
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'not_eligible'; readonly message: string }
  | { readonly kind: 'barred'; readonly message: string }
  | { readonly kind: 'unknown_subscriber'; readonly message: string }
  | { readonly kind: 'underage'; readonly message: string }
  | { readonly kind: 'limit_exceeded'; readonly message: string }
  | { readonly kind: 'unsupported_network'; readonly message: string };

/**
 * A minimum age as user info and PreAuthorize take it (any age, unlike Pay's 16 or 18):
 * a whole number of years a person can have.
 */
export const MAX_MINIMUM_AGE = 150;
export function isMinimumAge(age: number): boolean {
  return Number.isInteger(age) && age >= 0 && age <= MAX_MINIMUM_AGE;
}

export function isAllowedAge(age: number): age is RequiredAge {
  return (ALLOWED_AGES as readonly number[]).includes(age);
}

/** Price rules of the purchase itself: service code range, business model range. */
export function checkPrice(amountMinor: bigint, serviceCode: string, businessModel?: string): RuleViolation | null {
  const code = SERVICE_CODES.get(serviceCode);
  if (!code) return { kind: 'invalid', message: `Unknown service code ${serviceCode}` };
  const outside = (range: PriceRange, what: string): RuleViolation | null => {
    if (amountMinor < range.minMinor)
      return { kind: 'invalid', message: `Price ${amountMinor} is below the minimum ${range.minMinor} for ${what}` };
    if (amountMinor > range.maxMinor)
      return { kind: 'invalid', message: `Price ${amountMinor} is above the maximum ${range.maxMinor} for ${what}` };
    return null;
  };
  const codeViolation = outside(code, `service code ${serviceCode}`);
  if (codeViolation) return codeViolation;
  if (businessModel === undefined) return null;
  const model = BUSINESS_MODELS.get(businessModel);
  if (!model) return { kind: 'invalid', message: `Unknown business model ${businessModel}` };
  return outside(model, `business model ${businessModel}`);
}

/**
 * Whether the subscriber may be charged this amount at all: registration, age, the
 * per-transaction limit and currency. Period limits (month, year) need the ledger and
 * are enforced atomically where the charge is recorded.
 */
export function checkSubscriber(
  profile: SubscriberProfile,
  amountMinor: bigint,
  currency: string,
  /** Pay's RequiredAge (16, 18), or any minimum age for user info and PreAuthorize. */
  requiredAge: number | undefined,
): RuleViolation | null {
  if (!profile.known) return { kind: 'unknown_subscriber', message: 'Unknown subscriber at the operator' };
  if (profile.registration === 'barred') return { kind: 'barred', message: 'Billing is barred for the msisdn' };
  if (profile.registration === 'unregistered')
    return { kind: 'not_eligible', message: 'The subscriber is not registered for payments' };
  if (profile.registration === 'registered')
    return { kind: 'not_eligible', message: 'The subscriber is not valid for licensed purchase' };
  if (profile.operator.currency !== currency)
    return { kind: 'unsupported_network', message: `The operator ${profile.operator.name} does not bill in ${currency}` };
  if (requiredAge !== undefined && (profile.age === null || profile.age < requiredAge))
    return { kind: 'underage', message: `The subscriber is below the required age ${requiredAge}` };
  if (amountMinor > profile.limits.perTransactionMinor)
    return {
      kind: 'limit_exceeded',
      message: `Price ${amountMinor} exceeds the subscriber's limit of ${profile.limits.perTransactionMinor} per transaction`,
    };
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
): RuleViolation | null {
  if (remaining.monthMinor !== null && amountMinor > remaining.monthMinor) {
    return { kind: 'limit_exceeded', message: "The subscriber's monthly spending limit would be exceeded" };
  }
  if (remaining.yearMinor !== null && amountMinor > remaining.yearMinor) {
    return { kind: 'limit_exceeded', message: "The subscriber's yearly spending limit would be exceeded" };
  }
  return null;
}
