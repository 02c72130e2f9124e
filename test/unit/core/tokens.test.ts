import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { TokenService } from '../../../src/core/tokens/service.js';
import type { TokenGrant } from '../../../src/core/tokens/types.js';
import { sha256Hex } from '../../../src/kernel/secrets.js';
import type { Msisdn } from '../../../src/kernel/msisdn.js';
import { FakeClock } from '../../support/fakes/clock.js';
import { InMemoryTokens } from '../../support/fakes/tokens.js';

const GRANT: TokenGrant = {
  endpointId: 2_147_483_648,
  purpose: 'checkout',
  productId: 1001,
  amountMinor: 1000n,
  currency: 'ZAR',
  description: 'Ten rand of gems',
  reference: 'pt-1',
  operator: '655-01',
  msisdn: null,
};

describe('purchase tokens on fakes', () => {
  let repository: InMemoryTokens;
  let clock: FakeClock;
  let tokens: TokenService;
  beforeEach(() => {
    repository = new InMemoryTokens();
    clock = new FakeClock();
    tokens = new TokenService(repository, clock);
  });
  const issue = async (grant: TokenGrant = GRANT, lifetimeMs?: number) => {
    const issued = await tokens.issue(grant, lifetimeMs);
    return issued.ok ? issued.value : assert.fail(JSON.stringify(issued.error));
  };

  it('a token is 192 random bits, stored only as its SHA-256, and expires after its lifetime', async () => {
    const { token, expiresAt } = await issue();
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    assert.deepEqual(expiresAt, new Date(clock.now().getTime() + 30 * 60_000), 'thirty minutes by default');
    assert.equal(repository.rows.length, 1);
    assert.equal(repository.rows[0]?.tokenHash, sha256Hex(token));
    assert.ok(!JSON.stringify(repository.rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).includes(token), 'the bearer value is not stored');
    assert.notEqual((await issue()).token, token);
  });

  it('consumed once for its product: the grant, then token-used; another product or a made-up token is unknown', async () => {
    const { token } = await issue();
    assert.deepEqual(await tokens.consume(token, 1002), { ok: false, error: { kind: 'unknown-token' } });
    const first = await tokens.consume(token, 1001);
    assert.ok(first.ok);
    assert.equal(first.value.reference, 'pt-1');
    assert.equal(first.value.amountMinor, 1000n);
    assert.deepEqual(first.value.consumedAt, clock.now());
    clock.advance(1000);
    assert.deepEqual(await tokens.consume(token, 1001), { ok: false, error: { kind: 'token-used', consumedAt: first.value.consumedAt } });
    assert.deepEqual(await tokens.consume('A'.repeat(32), 1001), { ok: false, error: { kind: 'unknown-token' } });
    assert.deepEqual(await tokens.consume(`${token})=`, 1001), { ok: false, error: { kind: 'unknown-token' } }, 'not the shape of a token');
  });

  it('expires when the clock reaches its expiry, not a moment before', async () => {
    const { token, expiresAt } = await issue(GRANT, 60_000);
    clock.advance(59_999);
    const { token: second } = await issue(GRANT, 60_000);
    clock.advance(1);
    assert.deepEqual(await tokens.consume(token, 1001), { ok: false, error: { kind: 'token-expired', expiresAt } });
    assert.ok((await tokens.consume(second, 1001)).ok);
  });

  it('refuses a bad grant before anything is stored, each cause in its own words', async () => {
    const refused = async (grant: Partial<TokenGrant>, lifetimeMs?: number) => {
      const answer = await tokens.issue({ ...GRANT, ...grant }, lifetimeMs);
      return answer.ok ? assert.fail('issued') : answer.error;
    };
    assert.deepEqual(await refused({ amountMinor: 0n }), { kind: 'invalid-field', field: 'amount', reason: 'must be 1-1000000000000 minor units' });
    assert.deepEqual(await refused({ description: '' }), { kind: 'invalid-field', field: 'description', reason: 'must be 1-200 characters' });
    assert.deepEqual(await refused({ description: 'a\u0000b' }), { kind: 'invalid-field', field: 'description', reason: 'must not contain control characters' });
    assert.deepEqual(await refused({ reference: 'r'.repeat(256) }), { kind: 'invalid-field', field: 'reference', reason: 'must be at most 255 characters' });
    assert.deepEqual(await refused({ operator: '65501' }), { kind: 'invalid-field', field: 'operator', reason: 'must be MCC-MNC' });
    assert.deepEqual(await refused({ purpose: 'checkout-for-subscriber' }), {
      kind: 'invalid-field',
      field: 'msisdn',
      reason: 'is required for a checkout for a known subscriber',
    });
    assert.deepEqual(await refused({ msisdn: '+27825550000' as Msisdn }), { kind: 'invalid-field', field: 'msisdn', reason: 'is only for a checkout for a known subscriber' });
    assert.deepEqual(await refused({}, 59_999), { kind: 'invalid-field', field: 'lifetime', reason: 'must be 60000-86400000 ms' });
    assert.equal(repository.rows.length, 0);
  });
});
