import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { AccountsService } from '../../../src/core/merchants/accounts.js';
import { CredentialService } from '../../../src/core/merchants/credentials.js';
import { endpointKindCatalog } from '../../../src/composition/endpoint-kinds.js';
import { verifyStoredSecret } from '../../../src/kernel/secrets.js';
import { InMemoryAccounts } from '../../support/fakes/accounts.js';
import { FakeClock } from '../../support/fakes/clock.js';

/** The operator's refusals, on in-memory ports: each cause its own error. */
describe('accounts on fakes', () => {
  let repository: InMemoryAccounts;
  let accounts: AccountsService;
  let credentials: CredentialService;
  let clock: FakeClock;
  beforeEach(() => {
    repository = new InMemoryAccounts();
    clock = new FakeClock();
    const kinds = endpointKindCatalog();
    accounts = new AccountsService(repository, kinds, clock);
    credentials = new CredentialService({ repository, kinds, clock });
  });
  const endpoint = async (kind: string, vendorIds: Record<string, string> = {}) => {
    const merchantId = (await accounts.createMerchant('M')).ok ? 1 : assert.fail();
    const added = await accounts.addEndpoint({ merchantId, kind, name: 'E', currency: 'NOK', settings: {}, vendorIds });
    return added.ok ? added.value.endpointId : assert.fail(JSON.stringify(added.error));
  };

  it('names, currencies and merchants are checked before anything is stored', async () => {
    assert.deepEqual(await accounts.createMerchant(''), { ok: false, error: { kind: 'invalid-field', field: 'name', reason: 'must be 1-200 characters' } });
    assert.deepEqual(await accounts.createMerchant('a\nb'), { ok: false, error: { kind: 'invalid-field', field: 'name', reason: 'must not contain control characters' } });
    for (const name of ['a\u009b2Jb', 'a\u0085b', 'shop\u202eSA', 'a\u2066b', 'a\u2028b']) {
      assert.deepEqual(await accounts.createMerchant(name), { ok: false, error: { kind: 'invalid-field', field: 'name', reason: 'must not contain control characters' } }, name);
    }
    const request = { merchantId: 9, kind: 'native', name: 'E', currency: 'NOK', settings: {}, vendorIds: {} };
    assert.deepEqual(await accounts.addEndpoint(request), { ok: false, error: { kind: 'unknown-merchant', merchantId: 9 } });
    assert.deepEqual(await accounts.addEndpoint({ ...request, currency: 'XXX' }), {
      ok: false,
      error: { kind: 'invalid-field', field: 'currency', reason: 'XXX is not a currency the platform settles in' },
    });
    assert.equal(repository.endpoints.size, 0);
  });

  it('defaults from the kind schema are filled in; the serviceId becomes the endpoint id', async () => {
    const endpointId = await endpoint('strex-directpay', { 'service-id': '4321' });
    assert.equal(endpointId, 4321);
    assert.deepEqual(repository.endpoints.get(4321)?.settings, { platform: 'directpay' });
    assert.deepEqual(repository.merchants[0]?.createdAt, clock.now(), 'stamped by the injected clock');
  });

  it('credential rules: no allow-list on Basic, no chosen API key, no short secrets, no second live identifier', async () => {
    const strex = await endpoint('strex-directpay', { 'service-id': '4322' });
    assert.deepEqual(await credentials.issue({ endpointId: strex, kind: 'basic', identifier: 'u', allowedCidrs: ['10.0.0.0/8'] }), {
      ok: false,
      error: { kind: 'invalid-field', field: 'allowed CIDRs', reason: 'HTTP Basic credentials are throttled per source instead of allow-listed' },
    });
    assert.deepEqual(await credentials.issue({ endpointId: strex, kind: 'basic', identifier: 'u', secret: 'short' }), {
      ok: false,
      error: { kind: 'invalid-field', field: 'secret', reason: 'must be 8-200 characters' },
    });
    assert.deepEqual(await credentials.issue({ endpointId: strex, kind: 'basic', identifier: 'a:b' }), {
      ok: false,
      error: { kind: 'invalid-field', field: 'identifier', reason: "must be 1-100 printable ASCII characters without spaces or ':'" },
    });
    assert.equal((await credentials.issue({ endpointId: strex, kind: 'basic', identifier: 'u' })).ok, true);
    assert.deepEqual(await credentials.issue({ endpointId: strex, kind: 'basic', identifier: 'u' }), { ok: false, error: { kind: 'identifier-taken', identifier: 'u' } });
    const native = await endpoint('native');
    assert.deepEqual(await credentials.issue({ endpointId: native, kind: 'api-key', identifier: 'mine' }), {
      ok: false,
      error: { kind: 'invalid-field', field: 'identifier', reason: 'an API key has no identifier of its own: its id is generated' },
    });
    assert.deepEqual(await credentials.issue({ endpointId: 77, kind: 'api-key' }), { ok: false, error: { kind: 'unknown-endpoint', endpointId: 77 } });
    assert.deepEqual(await credentials.rotate(99), { ok: false, error: { kind: 'unknown-credential', credentialId: 99 } });
  });

  it('a generated secret is shown once and only its hash is kept; revocation is stamped by the clock', async () => {
    const native = await endpoint('native');
    const issued = await credentials.issue({ endpointId: native, kind: 'api-key' });
    if (!issued.ok) assert.fail();
    const key = issued.value.secrets.apiKey ?? assert.fail();
    // The secret part may itself contain '_' (base64url): it is everything after the id.
    const secretPart = key.slice(`sk_${issued.value.identifier}_`.length);
    assert.equal(secretPart.length, 43);
    assert.ok(!JSON.stringify(repository.credentials).includes(secretPart));
    const revoked = await credentials.revoke(issued.value.credentialId);
    assert.deepEqual(revoked.ok && revoked.value.revokedAt, clock.now());
    assert.deepEqual(await credentials.verifyApiKey(key, '10.0.0.1'), { ok: false, error: { kind: 'unknown-identifier' } });
  });

  it('an unknown identifier and a source outside the allow-list cost one hash of the kind, as a wrong secret does', async () => {
    // Counting the hashes instead of timing them: a refusal that skips the hash answers
    // measurably sooner, which tells an attacker the identifier exists.
    const hashed: string[] = [];
    const counted = new CredentialService({
      repository,
      kinds: endpointKindCatalog(),
      clock,
      verifySecret: async (secret, stored) => {
        hashed.push(stored.split('$')[0] ?? '');
        return verifyStoredSecret(secret, stored);
      },
    });
    const infomedia = await endpoint('infomedia-payments', { 'partner-id': '310', paid: '00000000-0000-4000-8000-000000000310' });
    const issued = await counted.issue({ endpointId: infomedia, kind: 'password', identifier: 'partner310', allowedCidrs: ['192.0.2.0/24'] });
    const password = (issued.ok && issued.value.secrets.password) || assert.fail();
    const attempt = async (result: Promise<unknown>, expected: unknown) => {
      hashed.length = 0;
      assert.deepEqual(await result, expected);
      return [...hashed];
    };
    assert.deepEqual(await attempt(counted.verifyPassword('partner310', password, '198.51.100.1'), { ok: false, error: { kind: 'source-not-allowed' } }), ['scrypt']);
    assert.deepEqual(await attempt(counted.verifyPassword('nobody', password, '198.51.100.1'), { ok: false, error: { kind: 'source-not-allowed' } }), ['scrypt']);
    assert.deepEqual(await attempt(counted.verifyPassword('nobody', password, '192.0.2.1'), { ok: false, error: { kind: 'unknown-identifier' } }), ['scrypt']);
    assert.deepEqual(await attempt(counted.verifyPassword('partner310', 'wrong-password', '192.0.2.1'), { ok: false, error: { kind: 'wrong-secret' } }), ['scrypt']);

    // API keys are stored as SHA-256: a made-up key id must not cost an scrypt either.
    const native = await endpoint('native');
    const key = await counted.issue({ endpointId: native, kind: 'api-key' });
    const apiKey = (key.ok && key.value.secrets.apiKey) || assert.fail();
    const madeUp = `sk_${'a'.repeat(16)}_${'b'.repeat(43)}`;
    assert.deepEqual(await attempt(counted.verifyApiKey(madeUp, '10.0.0.1'), { ok: false, error: { kind: 'unknown-identifier' } }), ['sha256']);
    assert.deepEqual(await attempt(counted.verifyApiKey(`${apiKey.slice(0, -1)}${apiKey.endsWith('x') ? 'y' : 'x'}`, '10.0.0.1'), { ok: false, error: { kind: 'wrong-secret' } }), ['sha256']);
    assert.equal((await counted.verifyApiKey(apiKey, '10.0.0.1')).ok, true);
  });

  it('a known identifier outside its allow-list is refused as an unknown one is: by the source alone', async () => {
    const first = await endpoint('infomedia-payments', { 'partner-id': '320', paid: '00000000-0000-4000-8000-000000000320' });
    const second = await endpoint('infomedia-payments', { 'partner-id': '321', paid: '00000000-0000-4000-8000-000000000321' });
    const issued = await credentials.issue({ endpointId: first, kind: 'password', identifier: 'partner320', allowedCidrs: ['192.0.2.0/24'] });
    const password = (issued.ok && issued.value.secrets.password) || assert.fail();
    assert.equal((await credentials.issue({ endpointId: second, kind: 'password', identifier: 'partner321', allowedCidrs: ['198.51.100.0/24'] })).ok, true);
    // Outside every allow-list: the source is told so, whichever identifier it names.
    const outside = { ok: false, error: { kind: 'source-not-allowed' } };
    assert.deepEqual(await credentials.verifyPassword('partner320', password, '203.0.113.9'), outside);
    assert.deepEqual(await credentials.verifyPassword('partner320', 'wrong-password', '203.0.113.9'), outside);
    assert.deepEqual(await credentials.verifyPassword('nobody', password, '203.0.113.9'), outside);
    // Inside another partner's list: partner320 there looks like no partner at all.
    const unknown = { ok: false, error: { kind: 'unknown-identifier' } };
    assert.deepEqual(await credentials.verifyPassword('partner320', password, '198.51.100.7'), unknown);
    assert.deepEqual(await credentials.verifyPassword('nobody', password, '198.51.100.7'), unknown);
    assert.deepEqual(await credentials.verifyPassword('partner320', 'wrong-password', '192.0.2.7'), { ok: false, error: { kind: 'wrong-secret' } });
    assert.equal((await credentials.verifyPassword('partner320', password, '192.0.2.7')).ok, true);
  });
});
