import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint } from '../../../src/core/merchants/accounts-types.js';
import type { CredentialFailure } from '../../../src/core/merchants/credentials.js';
import { LOGIN_THROTTLE } from '../../../src/core/merchants/throttle.js';
import { ThrottledVerifier } from '../../../src/core/merchants/throttled-verifier.js';
import { err, ok, type Result } from '../../../src/kernel/result.js';
import { FakeClock } from '../../support/fakes/clock.js';
import { InMemoryLoginThrottle } from '../../support/fakes/login-throttle.js';

const ENDPOINT: Endpoint = {
  endpointId: 2_147_483_648,
  merchantId: 1,
  kind: 'payments-api',
  name: 'x',
  currency: 'ZAR',
  settings: {},
  vendorIds: [],
  requiresVerifiedMsisdn: false,
};
const ALLOWED = '192.0.2.10';

/** A verifier like CredentialService's: one hash (counted) on every path, a source outside 192.0.2.0/24 refused. */
function world() {
  const clock = new FakeClock();
  const throttle = new InMemoryLoginThrottle();
  const hashes = { count: 0 };
  const verify = async (identifier: string, secret: string, address: string): Promise<Result<Endpoint, CredentialFailure>> => {
    hashes.count += 1;
    if (identifier !== 'demo') return err({ kind: 'unknown-identifier' });
    if (!address.startsWith('192.0.2.')) return err({ kind: 'source-not-allowed' });
    return secret === 'right' ? ok(ENDPOINT) : err({ kind: 'wrong-secret' });
  };
  const verifier = new ThrottledVerifier({ verify, kind: 'password', throttle, clock, refusalHoldMs: 0 });
  return { clock, throttle, hashes, verifier };
}

describe('ThrottledVerifier: a credential verifier behind the login limits', () => {
  it('a verified credential is answered from memory for a minute, then checked again', async () => {
    const { verifier, hashes, clock } = world();
    assert.deepEqual(await verifier.verify('demo', 'right', ALLOWED), ok(ENDPOINT));
    assert.deepEqual(await verifier.verify('demo', 'right', ALLOWED), ok(ENDPOINT));
    assert.equal(hashes.count, 1);
    clock.advance(60_000);
    assert.deepEqual(await verifier.verify('demo', 'right', ALLOWED), ok(ENDPOINT));
    assert.equal(hashes.count, 2);
  });

  it('100 requests at once with a credential not remembered (or gone stale under load) share one check: none is refused as busy', async () => {
    const { verifier, hashes, throttle, clock } = world();
    const answers = await Promise.all(Array.from({ length: 100 }, () => verifier.verify('demo', 'right', ALLOWED)));
    assert.deepEqual(new Set(answers.map((a) => JSON.stringify(a))), new Set([JSON.stringify(ok(ENDPOINT))]));
    assert.equal(hashes.count, 1);
    assert.equal(throttle.calls.take, 1);
    clock.advance(60_000);
    const stale = await Promise.all(Array.from({ length: 100 }, () => verifier.verify('demo', 'right', ALLOWED)));
    assert.equal(stale.filter((a) => a.ok).length, 100);
    assert.equal(hashes.count, 2);
  });

  it('unknown user, wrong password and a source outside the list each cost one hash and one count, answered by their kind', async () => {
    const { verifier, hashes, throttle } = world();
    assert.deepEqual(await verifier.verify('nobody', 'right', ALLOWED), err({ kind: 'unknown-identifier' }));
    assert.deepEqual(await verifier.verify('demo', 'wrong', ALLOWED), err({ kind: 'wrong-secret' }));
    assert.deepEqual(await verifier.verify('demo', 'right', '203.0.113.1'), err({ kind: 'source-not-allowed' }));
    assert.equal(hashes.count, 3);
    assert.equal(throttle.calls.take, 3);
    assert.equal(throttle.calls.giveBack, 0, 'no failure is given back');
  });

  it(`after ${LOGIN_THROTTLE.perAccountSource} failures of one account from one source, even the right password is refused unhashed until the window ends`, async () => {
    const { verifier, hashes, clock } = world();
    for (let i = 0; i < LOGIN_THROTTLE.perAccountSource; i++) assert.equal((await verifier.verify('demo', `guess-${i}`, ALLOWED)).ok, false);
    const before = hashes.count;
    const refused = await verifier.verify('demo', 'right', ALLOWED);
    assert.equal(refused.ok ? 'ok' : refused.error.kind, 'throttled');
    assert.equal(hashes.count, before, 'not hashed');
    assert.deepEqual(await verifier.verify('demo', 'right', '192.0.2.11'), ok(ENDPOINT), 'another source is not held to it');
    clock.advance(LOGIN_THROTTLE.windowMs);
    assert.deepEqual(await verifier.verify('demo', 'right', ALLOWED), ok(ENDPOINT));
  });

  it('an empty or over-long part is malformed without a hash', async () => {
    const { verifier, hashes } = world();
    assert.deepEqual(await verifier.verify('', 'x', ALLOWED), err({ kind: 'malformed' }));
    assert.deepEqual(await verifier.verify('demo', 'x'.repeat(201), ALLOWED), err({ kind: 'malformed' }));
    assert.equal(hashes.count, 0);
  });
});
