import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { type AuthenticationFailure, PasswordAuthenticator } from '../../src/core/merchants/authentication.js';
import type { MerchantRepository, StoredCredential } from '../../src/core/merchants/ports.js';
import { LOGIN_THROTTLE } from '../../src/core/merchants/throttle.js';
import type { ServiceContext } from '../../src/core/merchants/types.js';
import { hashSecret, verifySecret } from '../../src/kernel/secrets.js';
import { TestClock } from '../support/app.js';
import { InMemoryLoginThrottle } from '../support/fakes/login-throttle.js';

const SERVICE: ServiceContext = { serviceId: 1000, merchantId: 1, platform: 'directpay', currency: 'NOK', requiresVerifiedMsisdn: false };
const MERCHANT = '10.0.0.1';
const GUESSER = '203.0.113.7';

/** One credential (demo / secret) whose password can be changed and which can be revoked. */
class Credentials implements Pick<MerchantRepository, 'findCredential'> {
  stored: StoredCredential | null;
  reads = 0;
  constructor(passwordHash: string) {
    this.stored = { credentialId: 7, service: SERVICE, passwordHash };
  }
  async findCredential(serviceId: number, username: string): Promise<StoredCredential | null> {
    this.reads += 1;
    return serviceId === 1000 && username === 'demo' ? this.stored : null;
  }
}

/** A stand-in for scrypt ("plain:<password>"), counted, that takes a few ms like the real one. */
function countingVerify() {
  const counter = { hashes: 0, async verify(secret: string, stored: string) {
    counter.hashes += 1;
    await sleep(2);
    return stored === `plain:${secret}`;
  } };
  return counter;
}

/** Wide enough that only the tests about it meet the budget of hashes for unknown sources. */
const WIDE_BUDGET = { ratePerSecond: 1000, burst: 10_000 };

function setup(options: { realScrypt?: string; unknownSourceHashes?: { ratePerSecond: number; burst: number } } = {}) {
  const clock = new TestClock();
  const credentials = new Credentials(options.realScrypt ?? 'plain:secret');
  const throttle = new InMemoryLoginThrottle();
  const hashing = countingVerify();
  const verify = options.realScrypt ? async (s: string, h: string) => { hashing.hashes += 1; return verifySecret(s, h); } : hashing.verify;
  const unknownSourceHashes = options.unknownSourceHashes ?? WIDE_BUDGET;
  const authenticator = new PasswordAuthenticator({ credentials, throttle, clock, verify, unknownSourceHashes, refusalHoldMs: 0 });
  const login = (password: string, source = MERCHANT, username = 'demo', serviceId = 1000) =>
    authenticator.authenticate({ serviceId, username, password, source });
  return { clock, credentials, throttle, hashing, authenticator, login };
}

const failureOf = (result: Awaited<ReturnType<PasswordAuthenticator['authenticate']>>): AuthenticationFailure['kind'] | 'ok' =>
  result.ok ? 'ok' : result.error.kind;

describe('service authentication', () => {
  it('verifies once with scrypt, then answers from memory; concurrent first checks share one hash', async () => {
    const t = setup({ realScrypt: await hashSecret('secret') });
    const results = await Promise.all(Array.from({ length: 10 }, () => t.login('secret')));
    for (const result of results) assert.deepEqual(result, { ok: true, value: SERVICE });
    assert.equal(t.hashing.hashes, 1);
    assert.deepEqual(await t.login('secret'), { ok: true, value: SERVICE });
    assert.equal(t.hashing.hashes, 1);
    assert.equal(t.credentials.reads, 1);
  });

  it('refuses wrong, empty, oversized and foreign credentials', async () => {
    const t = setup();
    assert.equal(failureOf(await t.login('Secret')), 'invalid');
    assert.equal(failureOf(await t.login('')), 'invalid');
    assert.equal(failureOf(await t.login('x'.repeat(201))), 'invalid');
    assert.equal(failureOf(await t.login('secret', MERCHANT, 'demo', 1001)), 'invalid');
    assert.equal(failureOf(await t.login('secret', MERCHANT, 'demo', 0)), 'invalid');
    assert.equal(failureOf(await t.login('secret', MERCHANT, 'other')), 'invalid');
  });

  it('400 concurrent guesses from one source: 20 are hashed, the rest refused unhashed, the right password at guess 300 too', async () => {
    const t = setup();
    const guesses = Array.from({ length: 400 }, (_, i) => (i === 299 ? 'secret' : `guess-${i}`));
    const results = await Promise.all(guesses.map((guess) => t.login(guess, GUESSER)));
    const kinds = results.map(failureOf);
    assert.equal(t.hashing.hashes, LOGIN_THROTTLE.perAccountSource);
    assert.equal(kinds.filter((kind) => kind === 'invalid').length, LOGIN_THROTTLE.perAccountSource);
    assert.equal(kinds.filter((kind) => kind === 'throttled').length, 400 - LOGIN_THROTTLE.perAccountSource);
    assert.equal(kinds[299], 'throttled');
    // Further guesses are refused from memory: no database, no hash.
    const takes = t.throttle.calls.take;
    assert.equal(failureOf(await t.login('secret', GUESSER)), 'throttled');
    assert.equal(t.throttle.calls.take, takes);
    const refused = results[399];
    assert.ok(!refused?.ok && refused?.error.kind === 'throttled' && refused.error.retryAfterMs > 0 && refused.error.retryAfterMs <= 60_000);
  });

  it('the window ends: the guesser gets its next 20, and a success gives its count back', async () => {
    const t = setup();
    for (let i = 0; i < 25; i++) await t.login(`guess-${i}`, GUESSER);
    t.clock.advance(LOGIN_THROTTLE.windowMs);
    assert.deepEqual(await t.login('secret', GUESSER), { ok: true, value: SERVICE });
    const [accountSource] = [...t.throttle.windows.values()];
    assert.equal(accountSource?.failures, 0, 'the successful check does not count');
  });

  it('a guesser cannot lock out a verified merchant: served from memory, and after a minute from its row, never hashed again', async () => {
    const t = setup();
    assert.ok((await t.login('secret')).ok);
    for (let i = 0; i < 200; i++) await t.login(`guess-${i}`, GUESSER);
    assert.equal(t.hashing.hashes, 1 + LOGIN_THROTTLE.perAccountSource);
    assert.ok((await t.login('secret')).ok, 'fresh entry');
    t.clock.advance(61_000);
    const reads = t.credentials.reads;
    assert.ok((await t.login('secret')).ok, 'stale entry: its row is read, no hash');
    assert.equal(t.credentials.reads, reads + 1);
    assert.equal(t.hashing.hashes, 1 + LOGIN_THROTTLE.perAccountSource);
    // The merchant's further servers (new sources) are checked normally and get in too.
    assert.ok((await t.login('secret', '10.0.0.2')).ok);
  });

  it('a live entry is refreshed ahead of its expiry, off the request path', async () => {
    const t = setup();
    assert.ok((await t.login('secret')).ok);
    t.clock.advance(46_000);
    const reads = t.credentials.reads;
    assert.ok((await t.login('secret')).ok);
    await sleep(5);
    assert.equal(t.credentials.reads, reads + 1, 'the use at 46 s re-read the row in the background');
    t.clock.advance(20_000);
    assert.ok((await t.login('secret')).ok);
    assert.equal(t.credentials.reads, reads + 1, 'at 66 s the entry is still fresh: nothing read on the request path');
    assert.equal(t.hashing.hashes, 1);
  });

  it('a revoked or changed password stops working within a minute; the new one works', async () => {
    const t = setup();
    assert.ok((await t.login('secret')).ok);
    t.credentials.stored = { credentialId: 7, service: SERVICE, passwordHash: 'plain:new-secret' };
    t.clock.advance(61_000);
    assert.equal(failureOf(await t.login('secret')), 'invalid');
    assert.ok((await t.login('new-secret')).ok);
    t.credentials.stored = null;
    t.clock.advance(61_000);
    assert.equal(failureOf(await t.login('new-secret')), 'invalid');
  });

  it('a flood of junk usernames: per-source budget, bounded hashing queue, the merchant served meanwhile', async () => {
    const t = setup();
    assert.ok((await t.login('secret')).ok);
    const flood = Promise.all(Array.from({ length: 500 }, (_, i) => t.login('x', GUESSER, `junk-${i}`)));
    assert.ok((await t.login('secret')).ok);
    const hashesWhenServed = t.hashing.hashes;
    const kinds = (await flood).map(failureOf);
    // Answered from memory: served while the junk still queued for the hashing slot (each
    // hash takes a timer turn, which cannot come before the merchant's answer if it waits for none).
    assert.ok(hashesWhenServed <= 2 && t.hashing.hashes > hashesWhenServed + 10, `served after ${hashesWhenServed} of ${t.hashing.hashes} hashes`);
    assert.ok(t.hashing.hashes - 1 <= LOGIN_THROTTLE.perSource, `${t.hashing.hashes - 1} junk hashes`);
    assert.ok(kinds.includes('busy'), 'beyond the queue a check is refused, not queued');
    assert.ok(kinds.includes('throttled'));
    assert.ok(!kinds.includes('ok'));
    // Refused-as-busy checks gave their counts back; the source is still over its budget.
    assert.equal(failureOf(await t.login('x', GUESSER, 'junk-more')), 'throttled');
  });

  it('a distributed guesser locks the account for unknown sources only; known sources get in, even after a restart', async () => {
    const t = setup();
    assert.ok((await t.login('secret')).ok, 'the merchant verifies from its source once');
    for (let i = 0; i < LOGIN_THROTTLE.perAccount + 5; i++) await t.login(`guess-${i}`, `198.51.100.${i % 250}`);
    const restarted = new PasswordAuthenticator({
      credentials: t.credentials,
      throttle: t.throttle,
      clock: t.clock,
      verify: t.hashing.verify,
      unknownSourceHashes: WIDE_BUDGET,
      refusalHoldMs: 0,
    });
    const login = (password: string, source: string) => restarted.authenticate({ serviceId: 1000, username: 'demo', password, source });
    assert.ok((await login('secret', MERCHANT)).ok, 'a known source is still checked');
    assert.equal(failureOf(await login('secret', '192.0.2.99')), 'throttled', 'an unknown source is refused unhashed');
  });

  it('sources that never verified the credential share a budget of hashes a second; known sources do not', async () => {
    const t = setup({ unknownSourceHashes: { ratePerSecond: 5, burst: 3 } });
    assert.ok((await t.login('secret')).ok, 'the merchant verifies once (a token)');
    const flood = await Promise.all(Array.from({ length: 10 }, (_, i) => t.login('x', `198.51.100.${i}`, `junk-${i}`)));
    assert.deepEqual(flood.map(failureOf), ['invalid', 'invalid', ...Array.from({ length: 8 }, () => 'busy')]);
    assert.equal(t.hashing.hashes, 3);
    // Busy checks were never judged, so never counted: the source is not throttled.
    assert.equal(failureOf(await t.login('x', '198.51.100.9', 'junk-9')), 'busy');
    t.clock.advance(1_000);
    assert.equal(failureOf(await t.login('x', '198.51.100.9', 'junk-9')), 'invalid', 'a second later the budget has refilled');
    // The merchant's source is known: a new password check from it is not held to the budget.
    for (let i = 0; i < 5; i++) await t.login('x', `198.51.100.${i}`, `junk-${i}`);
    const fromKnown = new PasswordAuthenticator({ credentials: t.credentials, throttle: t.throttle, clock: t.clock, verify: t.hashing.verify, unknownSourceHashes: { ratePerSecond: 5, burst: 1 }, refusalHoldMs: 0 });
    await fromKnown.authenticate({ serviceId: 1000, username: 'demo', password: 'x', source: '192.0.2.1' });
    assert.ok((await fromKnown.authenticate({ serviceId: 1000, username: 'demo', password: 'secret', source: MERCHANT })).ok);
  });

  it('a login refused for want of budget writes nothing: the flood costs the database no statement', async () => {
    const t = setup({ unknownSourceHashes: { ratePerSecond: 5, burst: 1 } });
    assert.equal(failureOf(await t.login('x', '198.51.100.1', 'junk-1')), 'invalid');
    const takes = t.throttle.calls.take;
    const refused = await Promise.all(Array.from({ length: 50 }, (_, i) => t.login('x', `198.51.100.${i + 2}`, `junk-${i + 2}`)));
    assert.deepEqual(new Set(refused.map(failureOf)), new Set(['busy']));
    assert.equal(t.throttle.calls.take, takes, 'no failure window was counted');
    assert.equal(t.throttle.calls.giveBack, 0);
  });

  it('throttled and busy answers are held, wrong passwords and successes are not', async () => {
    const clock = new TestClock();
    const throttle = new InMemoryLoginThrottle();
    const authenticator = new PasswordAuthenticator({
      credentials: new Credentials('plain:secret'),
      throttle,
      clock,
      verify: countingVerify().verify,
      unknownSourceHashes: { ratePerSecond: 5, burst: 1 },
      refusalHoldMs: 1_000,
    });
    const timed = async (password: string, source: string, username = 'demo') => {
      const started = performance.now();
      const result = await authenticator.authenticate({ serviceId: 1000, username, password, source });
      return { kind: failureOf(result), ms: performance.now() - started };
    };
    const wrong = await timed('wrong', GUESSER);
    assert.equal(wrong.kind, 'invalid');
    assert.ok(wrong.ms < 900, `a wrong password was held ${wrong.ms} ms`);
    const busy = await timed('x', '198.51.100.3', 'junk');
    assert.equal(busy.kind, 'busy');
    assert.ok(busy.ms >= 990, `busy answered after ${busy.ms} ms`);
  });

  it('prune drops ended windows and long-unseen sources', async () => {
    const t = setup();
    await t.login('wrong', GUESSER);
    assert.ok((await t.login('secret')).ok);
    assert.equal(await t.authenticator.prune(), 0);
    t.clock.advance(2 * LOGIN_THROTTLE.windowMs);
    assert.equal(await t.authenticator.prune(), 5, 'the wrong guess\'s three windows and the success\'s two ended');
    t.clock.advance(31 * 24 * 60 * 60_000);
    assert.equal(await t.authenticator.prune(), 1);
  });
});
