import type { ConsumeRefusal, NewToken, TokenRepository } from '../../../src/core/tokens/ports.js';
import type { ConsumedToken } from '../../../src/core/tokens/types.js';

/** Purchase tokens in memory, consumed at most once as the conditional update does. */
export class InMemoryTokens implements TokenRepository {
  readonly rows: (NewToken & { tokenId: number; consumedAt: Date | null })[] = [];

  async insert(token: NewToken): Promise<void> {
    if (this.rows.some((r) => r.tokenHash === token.tokenHash)) throw new Error('duplicate token hash');
    this.rows.push({ ...token, tokenId: this.rows.length + 1, consumedAt: null });
  }

  async consume(tokenHash: string, productId: number, at: Date): Promise<ConsumedToken | ConsumeRefusal> {
    const row = this.rows.find((r) => r.tokenHash === tokenHash && r.productId === productId);
    if (!row) return { kind: 'unknown' };
    if (row.consumedAt) return { kind: 'used', consumedAt: row.consumedAt };
    if (row.expiresAt.getTime() <= at.getTime()) return { kind: 'expired', expiresAt: row.expiresAt };
    row.consumedAt = at;
    const { tokenHash: _hash, ...grant } = row;
    return { ...grant, consumedAt: at };
  }
}
