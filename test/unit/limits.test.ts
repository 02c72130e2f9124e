import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxSubscriber } from '../../src/connectors/sandbox/profiles.js';
import { checkPrice, checkSubscriber, isAllowedAge } from '../../src/core/limits/rules.js';
import { BUSINESS_MODELS, SERVICE_CODES } from '../../src/core/limits/catalogue.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';

const profile = (msisdn: string) => sandboxSubscriber(msisdn as Msisdn).profile;

describe('price rules', () => {
  it('every catalogue range is sane', () => {
    for (const [code, range] of SERVICE_CODES) {
      assert.match(code, /^\d{5}$/);
      assert.ok(range.minMinor > 0n && range.minMinor <= range.maxMinor, code);
    }
    for (const [model, range] of BUSINESS_MODELS) assert.ok(range.minMinor > 0n && range.minMinor <= range.maxMinor, model);
  });
  it('bounds are inclusive', () => {
    assert.equal(checkPrice(100n, '02001'), null);
    assert.equal(checkPrice(20_000n, '02001'), null);
    assert.deepEqual(checkPrice(99n, '02001'), { kind: 'invalid', message: 'Price 99 is below the minimum 100 for service code 02001' });
    assert.deepEqual(checkPrice(20_001n, '02001'), { kind: 'invalid', message: 'Price 20001 is above the maximum 20000 for service code 02001' });
  });
  it('a business model narrows the range further', () => {
    assert.equal(checkPrice(50_000n, '10002', 'DONATION'), null);
    assert.deepEqual(checkPrice(1_000n, '10002', 'donation'), { kind: 'invalid', message: 'Unknown business model donation' });
  });
});

describe('subscriber rules', () => {
  it('ages 16 and 18 only', () => {
    assert.deepEqual([15, 16, 17, 18, 20].map(isAllowedAge), [false, true, false, true, false]);
    assert.equal(checkSubscriber(profile('+4790000007'), 100n, 'NOK', 16), null);
    assert.equal(checkSubscriber(profile('+4790000007'), 100n, 'NOK', 18)?.kind, 'underage');
    assert.equal(checkSubscriber(profile('+4790000001'), 100n, 'NOK', 18)?.kind, 'unknown_subscriber');
  });
  it('registration decides eligibility', () => {
    assert.equal(checkSubscriber(profile('+4790000002'), 100n, 'NOK', undefined)?.kind, 'not_eligible');
    assert.equal(checkSubscriber(profile('+4790000003'), 100n, 'NOK', undefined)?.kind, 'barred');
    assert.equal(checkSubscriber(profile('+4790000004'), 100n, 'NOK', undefined), null);
  });
  it('per-transaction limit and currency', () => {
    assert.equal(checkSubscriber(profile('+4790000000'), 500_000n, 'NOK', undefined), null);
    assert.equal(checkSubscriber(profile('+4790000000'), 500_001n, 'NOK', undefined)?.kind, 'limit_exceeded');
    assert.equal(checkSubscriber(profile('+4790000000'), 100n, 'GBP', undefined)?.kind, 'unsupported_network');
  });
});
