import { type Kysely, sql } from 'kysely';
import type { ConsumeRefusal, NewToken, TokenRepository } from '../../core/tokens/ports.js';
import type { ConsumedToken, TokenPurpose } from '../../core/tokens/types.js';
import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Schema } from '../schema.js';

interface TokenRow {
  id: string | number | bigint;
  endpoint_id: string | number | bigint;
  purpose: string;
  product_id: string | number | bigint;
  amount_minor: string | number | bigint;
  currency: string;
  description: string;
  reference: string;
  operator: string | null;
  msisdn: string | null;
  issued_at: Date | string;
  expires_at: Date | string;
  consumed_at: Date | string | null;
}

export class SqlTokenRepository implements TokenRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async insert(t: NewToken): Promise<void> {
    await this.db
      .insertInto('purchase_tokens')
      .values({
        token_hash: t.tokenHash,
        endpoint_id: t.endpointId,
        purpose: t.purpose,
        product_id: t.productId,
        amount_minor: t.amountMinor.toString(),
        currency: t.currency,
        description: t.description,
        reference: t.reference,
        operator: t.operator,
        msisdn: t.msisdn,
        issued_at: t.issuedAt,
        expires_at: t.expiresAt,
      })
      .execute();
  }

  async consume(tokenHash: string, productId: number, at: Date): Promise<ConsumedToken | ConsumeRefusal> {
    const { rows } = await sql<TokenRow>`
      UPDATE purchase_tokens SET consumed_at = ${at.toISOString()}::timestamptz
       WHERE token_hash = ${tokenHash} AND product_id = ${productId}
         AND consumed_at IS NULL AND expires_at > ${at.toISOString()}::timestamptz
      RETURNING *`.execute(this.db);
    const [row] = rows;
    if (row) return consumedOf(row);
    // Nothing consumed: say why. A token of another product is as unknown as no token.
    const seen = await this.db
      .selectFrom('purchase_tokens')
      .select(['expires_at', 'consumed_at'])
      .where('token_hash', '=', tokenHash)
      .where('product_id', '=', productId)
      .executeTakeFirst();
    if (!seen) return { kind: 'unknown' };
    if (seen.consumed_at !== null) return { kind: 'used', consumedAt: new Date(seen.consumed_at) };
    return { kind: 'expired', expiresAt: new Date(seen.expires_at) };
  }
}

function consumedOf(row: TokenRow): ConsumedToken {
  return {
    tokenId: Number(row.id),
    endpointId: Number(row.endpoint_id),
    purpose: row.purpose as TokenPurpose,
    productId: Number(row.product_id),
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency.trim() as Currency,
    description: row.description,
    reference: row.reference,
    operator: row.operator,
    msisdn: row.msisdn as Msisdn | null,
    issuedAt: new Date(row.issued_at),
    expiresAt: new Date(row.expires_at),
    consumedAt: new Date(row.consumed_at ?? 0),
  };
}
