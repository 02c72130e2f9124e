import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import { MAX_AMOUNT_MINOR } from '../../kernel/money.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { randomSecret, sha256Hex } from '../../kernel/secrets.js';
import { nameProblem } from '../merchants/accounts.js';
import type { TokenRepository } from './ports.js';
import {
  type ConsumedToken,
  DEFAULT_TOKEN_LIFETIME_MS,
  type IssuedToken,
  MAX_REFERENCE_CHARS,
  MAX_TOKEN_LIFETIME_MS,
  MIN_TOKEN_LIFETIME_MS,
  TOKEN_BYTES,
  TOKEN_PURPOSES,
  type TokenError,
  type TokenGrant,
} from './types.js';

const OPERATOR = /^[0-9]{3}-[0-9]{2,3}$/;
/** A bearer value as issued: anything else is refused before it is hashed or looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

/**
 * Single-use, expiring purchase tokens bound to the endpoint and product they were issued
 * for. Only the SHA-256 of a token is stored: 192 random bits need no slow hash.
 */
export class TokenService {
  constructor(
    private readonly repository: TokenRepository,
    private readonly clock: Clock,
  ) {}

  async issue(grant: TokenGrant, lifetimeMs = DEFAULT_TOKEN_LIFETIME_MS): Promise<Result<IssuedToken, TokenError>> {
    const invalid = grantProblem(grant) ?? lifetimeProblem(lifetimeMs);
    if (invalid) return err(invalid);
    const token = randomSecret(TOKEN_BYTES);
    assert(TOKEN_SHAPE.test(token), 'a generated token has the shape consume accepts');
    const issuedAt = this.clock.now();
    const expiresAt = new Date(issuedAt.getTime() + lifetimeMs);
    await this.repository.insert({ ...grant, tokenHash: sha256Hex(token), issuedAt, expiresAt });
    return ok({ token, expiresAt });
  }

  /** Uses the token up for this product: it answers its grant once, and never again. */
  async consume(token: string, productId: number): Promise<Result<ConsumedToken, TokenError>> {
    if (!TOKEN_SHAPE.test(token)) return err({ kind: 'unknown-token' });
    const answer = await this.repository.consume(sha256Hex(token), productId, this.clock.now());
    if ('tokenId' in answer) return ok(answer);
    if (answer.kind === 'expired') return err({ kind: 'token-expired', expiresAt: answer.expiresAt });
    if (answer.kind === 'used') return err({ kind: 'token-used', consumedAt: answer.consumedAt });
    return err({ kind: 'unknown-token' });
  }
}

function grantProblem(grant: TokenGrant): TokenError | null {
  const invalid = (field: string, reason: string): TokenError => ({ kind: 'invalid-field', field, reason });
  assert(TOKEN_PURPOSES.includes(grant.purpose), `a token purpose: ${grant.purpose}`);
  if (grant.amountMinor <= 0n || grant.amountMinor > MAX_AMOUNT_MINOR) return invalid('amount', `must be 1-${MAX_AMOUNT_MINOR} minor units`);
  if (!Number.isSafeInteger(grant.productId) || grant.productId < 1) return invalid('product id', 'must be a positive integer');
  const description = nameProblem('description', grant.description);
  if (description) return description.kind === 'invalid-field' ? invalid(description.field, description.reason) : invalid('description', 'is not valid');
  if (grant.reference.length > MAX_REFERENCE_CHARS) return invalid('reference', `must be at most ${MAX_REFERENCE_CHARS} characters`);
  if (grant.operator !== null && !OPERATOR.test(grant.operator)) return invalid('operator', 'must be MCC-MNC');
  if ((grant.purpose === 'checkout-for-subscriber') !== (grant.msisdn !== null)) {
    return invalid('msisdn', grant.msisdn === null ? 'is required for a checkout for a known subscriber' : 'is only for a checkout for a known subscriber');
  }
  return null;
}

function lifetimeProblem(lifetimeMs: number): TokenError | null {
  if (Number.isSafeInteger(lifetimeMs) && lifetimeMs >= MIN_TOKEN_LIFETIME_MS && lifetimeMs <= MAX_TOKEN_LIFETIME_MS) return null;
  return { kind: 'invalid-field', field: 'lifetime', reason: `must be ${MIN_TOKEN_LIFETIME_MS}-${MAX_TOKEN_LIFETIME_MS} ms` };
}
