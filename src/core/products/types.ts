import type { Currency } from '../../kernel/money.js';

export const PERIOD_UNITS = ['day', 'week', 'month'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

/** The longest period of each unit: a recurring plan bills at least once a year. */
export const MAX_PERIOD_COUNT: Readonly<Record<PeriodUnit, number>> = { day: 366, week: 52, month: 12 };
export const MAX_TRIAL_DAYS = 365;
/** Ids below this may be given (a vendor's product or plan id); the store picks from here up. */
export const FIRST_GENERATED_ID = 1_000_000_000;

/** How a plan bills: once, or every `count` `unit`s after a free trial of trialDays. */
export type Billing =
  | { readonly kind: 'once' }
  | { readonly kind: 'recurring'; readonly period: { readonly unit: PeriodUnit; readonly count: number }; readonly trialDays: number };

export interface PricePlan {
  readonly planId: number;
  readonly productId: number;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly billing: Billing;
}

/** Something a merchant sells, with the plans it can be bought on. */
export interface Product {
  readonly productId: number;
  readonly merchantId: number;
  readonly name: string;
  readonly plans: readonly PricePlan[];
}

export interface NewProduct {
  readonly productId: number | null;
  readonly merchantId: number;
  readonly name: string;
}

export interface NewPricePlan {
  readonly planId: number | null;
  readonly productId: number;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly billing: Billing;
}
