import type { ConsumedToken, TokenGrant } from './types.js';

export interface NewToken extends TokenGrant {
  readonly tokenHash: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** Why a token could not be consumed, read after the consuming update found nothing. */
export type ConsumeRefusal = { readonly kind: 'unknown' } | { readonly kind: 'expired'; readonly expiresAt: Date } | { readonly kind: 'used'; readonly consumedAt: Date };

export interface TokenRepository {
  insert(token: NewToken): Promise<void>;
  /**
   * Marks the token of this hash and product consumed at `at` if it is neither consumed
   * nor expired then, in one conditional update: of any number of concurrent callers
   * exactly one gets the token.
   */
  consume(tokenHash: string, productId: number, at: Date): Promise<ConsumedToken | ConsumeRefusal>;
}
