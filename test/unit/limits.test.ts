import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxSubscriber } from '../../src/connectors/sandbox/profiles.js';
import { checkSubscriber } from '../../src/core/limits/rules.js';
import { checkPrice } from '../../src/core/pricing/policy.js';
import { BUSINESS_MODELS, isAllowedAge, pricePolicy, SERVICE_CODES } from '../../src/facades/strex/catalogue.js';
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
    const rule = { label: 'service code 02001' };
    assert.equal(checkPrice(100n, pricePolicy('02001')), null);
    assert.equal(checkPrice(20_000n, pricePolicy('02001')), null);
    assert.deepEqual(checkPrice(99n, pricePolicy('02001')), { kind: 'price_below_minimum', rule, amountMinor: 99n, minMinor: 100n });
    assert.deepEqual(checkPrice(20_001n, pricePolicy('02001')), { kind: 'price_above_maximum', rule, amountMinor: 20_001n, maxMinor: 20_000n });
  });
  it('a business model narrows the range further', () => {
    assert.equal(checkPrice(50_000n, pricePolicy('10002', 'DONATION')), null);
    assert.deepEqual(checkPrice(1_000n, pricePolicy('10002', 'donation')), { kind: 'price_rule_unknown', rule: { label: 'business model donation' } });
    assert.deepEqual(checkPrice(1_000n, pricePolicy('99999')), { kind: 'price_rule_unknown', rule: { label: 'service code 99999' } });
  });
});

describe('subscriber rules', () => {
  it('ages 16 and 18 only', () => {
    assert.deepEqual([15, 16, 17, 18, 20].map(isAllowedAge), [false, true, false, true, false]);
    assert.equal(checkSubscriber(profile('+4790000007'), 100n, 'NOK', 16), null);
    assert.deepEqual(checkSubscriber(profile('+4790000007'), 100n, 'NOK', 18), { kind: 'underage', minimumAge: 18 });
    assert.equal(checkSubscriber(profile('+4790000001'), 100n, 'NOK', 18)?.kind, 'unknown_subscriber');
  });
  it('registration decides eligibility', () => {
    assert.equal(checkSubscriber(profile('+4790000002'), 100n, 'NOK', undefined)?.kind, 'not_licensed');
    assert.equal(checkSubscriber(profile('+4790000003'), 100n, 'NOK', undefined)?.kind, 'barred');
    assert.equal(checkSubscriber(profile('+4790000004'), 100n, 'NOK', undefined), null);
  });
  it('per-transaction limit and currency', () => {
    assert.equal(checkSubscriber(profile('+4790000000'), 500_000n, 'NOK', undefined), null);
    assert.deepEqual(checkSubscriber(profile('+4790000000'), 500_001n, 'NOK', undefined), {
      kind: 'limit_per_charge_exceeded',
      amountMinor: 500_001n,
      limitMinor: 500_000n,
    });
    assert.deepEqual(checkSubscriber(profile('+4790000000'), 100n, 'GBP', undefined), {
      kind: 'unsupported_network',
      operatorName: profile('+4790000000').operator.name,
      currency: 'GBP',
    });
  });
});
