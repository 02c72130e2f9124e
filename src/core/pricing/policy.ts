import { assert } from '../../kernel/assert.js';
import type { PriceRefusal } from '../payments/errors.js';

/** Names a facade's price rule in the facade's own answers; core never reads it. */
export interface PriceRule {
  readonly label: string;
}

/** An inclusive price range in minor units. */
export interface PriceRange {
  readonly minMinor: bigint;
  readonly maxMinor: bigint;
}

/**
 * The prices a facade allows for one charge: its rules, checked in order. A rule the
 * facade does not know (range null) refuses every amount.
 */
export interface PricePolicy {
  readonly rules: ReadonlyArray<{ readonly rule: PriceRule; readonly range: PriceRange | null }>;
}

/** Maximum rules in one policy: a facade combines a few (a product and a business model). */
const MAX_PRICE_RULES = 8;

/** The first rule of the policy that refuses amountMinor, or null. */
export function checkPrice(amountMinor: bigint, policy: PricePolicy): PriceRefusal | null {
  assert(policy.rules.length <= MAX_PRICE_RULES, `a price policy has at most ${MAX_PRICE_RULES} rules`);
  for (const { rule, range } of policy.rules) {
    if (range === null) return { kind: 'price_rule_unknown', rule };
    if (amountMinor < range.minMinor) return { kind: 'price_below_minimum', rule, amountMinor, minMinor: range.minMinor };
    if (amountMinor > range.maxMinor) return { kind: 'price_above_maximum', rule, amountMinor, maxMinor: range.maxMinor };
  }
  return null;
}
