import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';

/**
 * What a token lets its bearer start: a checkout where the page must still find the
 * subscriber, or one for a subscriber the merchant already named.
 */
export const TOKEN_PURPOSES = ['checkout', 'checkout-for-subscriber'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** Lifetimes a caller may ask for: long enough to fill in a page, short enough to be worth little when leaked. */
export const MIN_TOKEN_LIFETIME_MS = 60_000;
export const MAX_TOKEN_LIFETIME_MS = 24 * 60 * 60_000;
export const DEFAULT_TOKEN_LIFETIME_MS = 30 * 60_000;
/** 24 random bytes (192 bits) as 32 base64url characters. */
export const TOKEN_BYTES = 24;
export const MAX_REFERENCE_CHARS = 255;

/** The purchase a token was issued for; the checkout page reads it when the token is consumed. */
export interface TokenGrant {
  readonly endpointId: number;
  readonly purpose: TokenPurpose;
  readonly productId: number;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly description: string;
  /** The merchant's own reference, passed through to where the purchase ends. */
  readonly reference: string;
  /** The subscriber's operator (MCC-MNC), when the merchant knows it. */
  readonly operator: string | null;
  /** Set exactly when the purpose is checkout-for-subscriber. */
  readonly msisdn: Msisdn | null;
}

export interface IssuedToken {
  /** The bearer value: shown once, stored only as its SHA-256. */
  readonly token: string;
  readonly expiresAt: Date;
}

export interface ConsumedToken extends TokenGrant {
  readonly tokenId: number;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly consumedAt: Date;
}

/** One kind per cause, so the checkout page can say which. */
export type TokenError =
  | { readonly kind: 'invalid-field'; readonly field: string; readonly reason: string }
  | { readonly kind: 'unknown-token' }
  | { readonly kind: 'token-expired'; readonly expiresAt: Date }
  | { readonly kind: 'token-used'; readonly consumedAt: Date };
