import { assert } from './assert.js';

/** ISO 4217 currencies the platform settles in, with their minor-unit exponent. */
export const CURRENCY_EXPONENT = { NOK: 2, GBP: 2, ZAR: 2, USD: 2, EUR: 2, SEK: 2, DKK: 2 } as const;
export type Currency = keyof typeof CURRENCY_EXPONENT;

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(CURRENCY_EXPONENT, code);
}

/** Largest amount any single money movement may carry: 1e12 minor units. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000n;

export function assertAmountMinor(amountMinor: bigint): void {
  assert(amountMinor > 0n && amountMinor <= MAX_AMOUNT_MINOR, `amount out of bounds: ${amountMinor}`);
}

/** Formats minor units as a decimal string ("1500" NOK → "15.00"), exactly. */
export function formatMinor(amountMinor: bigint, currency: Currency): string {
  const exponent = CURRENCY_EXPONENT[currency];
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}
