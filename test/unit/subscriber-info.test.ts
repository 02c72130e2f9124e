import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxSubscriber } from '../../src/connectors/sandbox/profiles.js';
import type { CarrierNetwork, SubscriberProfile } from '../../src/core/carrier/ports.js';
import type { ServiceContext } from '../../src/core/merchants/types.js';
import { SubscriberInfoService } from '../../src/core/subscribers/service.js';
import { InvariantError } from '../../src/kernel/assert.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';

const service: ServiceContext = { serviceId: 1, merchantId: 1, platform: 'directpay', currency: 'NOK', requiresVerifiedMsisdn: false };
const msisdn = '+4790000000' as Msisdn;

/** A subscriber service over a carrier that counts how often it is asked for a profile. */
function countingService() {
  let lookups = 0;
  const carrier = {
    async subscriber(m: Msisdn): Promise<SubscriberProfile> {
      lookups += 1;
      return sandboxSubscriber(m).profile;
    },
  } as CarrierNetwork;
  const subscribers = new SubscriberInfoService({
    carrier,
    spending: { spent: async () => ({ monthMinor: 1_000n, yearMinor: 2_000n }) },
    blocklist: { isBlocked: async () => false },
    clock: { now: () => new Date('2026-11-23T12:00:00Z') },
  });
  return { subscribers, lookups: () => lookups };
}

describe('SubscriberInfoService', () => {
  it('asks the operator for the profile only when the caller has none loaded', async () => {
    const { subscribers, lookups } = countingService();
    const profile = await subscribers.profile(msisdn);
    const sale = { msisdn, amountMinor: 100n, pricePolicy: { rules: [{ rule: { label: 'a product' }, range: { minMinor: 100n, maxMinor: 500n } }] } };
    assert.equal(await subscribers.checkSale(service, sale, profile), null);
    const view = await subscribers.limits(service, msisdn, profile);
    assert.equal(lookups(), 1, 'the summary of v1, v2 and v3 asks the operator once');
    assert.deepEqual(view.remaining, {
      monthMinor: (profile.limits.monthlyMinor ?? 0n) - 1_000n,
      yearMinor: profile.limits.yearlyMinor === null ? null : profile.limits.yearlyMinor - 2_000n,
    });
    await subscribers.limits(service, msisdn);
    assert.equal(lookups(), 2);
  });

  it('refuses a loaded profile of another subscriber', async () => {
    const { subscribers } = countingService();
    const other = sandboxSubscriber('+4790000001' as Msisdn).profile;
    await assert.rejects(subscribers.limits(service, msisdn, other), InvariantError);
  });
});
