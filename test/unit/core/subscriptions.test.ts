import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Product } from '../../../src/core/products/types.js';
import { canTransition, periodEnd } from '../../../src/core/subscriptions/rules.js';
import { SubscriptionService } from '../../../src/core/subscriptions/service.js';
import { type JoinRequest, SUBSCRIPTION_STATES } from '../../../src/core/subscriptions/types.js';
import type { Msisdn } from '../../../src/kernel/msisdn.js';
import { FakeClock } from '../../support/fakes/clock.js';
import { InMemorySubscriptions } from '../../support/fakes/subscriptions.js';

const DAY_MS = 24 * 60 * 60_000;
const weekly = { kind: 'recurring', period: { unit: 'week', count: 1 }, trialDays: 3 } as const;
const monthly = { kind: 'recurring', period: { unit: 'month', count: 1 }, trialDays: 0 } as const;
const PRODUCTS: Product[] = [
  { productId: 1001, merchantId: 1, name: 'Once', plans: [{ planId: 1001, productId: 1001, amountMinor: 1000n, currency: 'ZAR', billing: { kind: 'once' } }] },
  { productId: 1002, merchantId: 1, name: 'Weekly', plans: [{ planId: 1002, productId: 1002, amountMinor: 500n, currency: 'ZAR', billing: weekly }] },
  { productId: 1003, merchantId: 1, name: 'Monthly', plans: [{ planId: 1003, productId: 1003, amountMinor: 2000n, currency: 'ZAR', billing: monthly }] },
  { productId: 2001, merchantId: 2, name: 'Other', plans: [{ planId: 2001, productId: 2001, amountMinor: 500n, currency: 'ZAR', billing: monthly }] },
];
const products = { findProduct: async (id: number) => PRODUCTS.find((p) => p.productId === id) ?? null };
const MSISDN = '+27825550000' as Msisdn;
const JOIN: JoinRequest = { merchantId: 1, endpointId: 2_147_483_648, productId: 1002, msisdn: MSISDN, operator: '655-01', reference: 'sub-1' };

describe('subscriptions on fakes', () => {
  let repository: InMemorySubscriptions;
  let clock: FakeClock;
  let subscriptions: SubscriptionService;
  beforeEach(() => {
    repository = new InMemorySubscriptions();
    clock = new FakeClock('2027-01-31T10:00:00Z');
    subscriptions = new SubscriptionService(repository, products, clock);
  });
  const join = async (request: Partial<JoinRequest> = {}) => {
    const joined = await subscriptions.join({ ...JOIN, ...request });
    return joined.ok ? joined.value : assert.fail(JSON.stringify(joined.error));
  };

  it('a plan with a trial starts in trial, charged when it ends; a second join answers the same subscription', async () => {
    const first = await join();
    assert.equal(first.created, true);
    assert.equal(first.subscription.state, 'trial');
    assert.deepEqual(first.subscription.trialEndsAt, new Date(clock.now().getTime() + 3 * DAY_MS));
    assert.deepEqual(first.subscription.nextChargeAt, first.subscription.trialEndsAt);
    assert.deepEqual(first.subscription.startedAt, clock.now());
    clock.advance(1000);
    const again = await join();
    assert.deepEqual(again, { subscription: first.subscription, created: false });
    assert.deepEqual(repository.events, [{ topic: 'subscription.started', subscriptionId: 1, state: 'trial' }]);
  });

  it('a plan without a trial starts pending and is charged now; activated, it is paid until a month on (the last day of a short month)', async () => {
    const { subscription } = await join({ productId: 1003 });
    assert.equal(subscription.state, 'pending');
    assert.deepEqual(subscription.nextChargeAt, clock.now());
    clock.advance(60_000);
    const active = await subscriptions.activate(1, subscription.subscriptionId);
    assert.ok(active.ok);
    assert.equal(active.value.state, 'active');
    assert.deepEqual(active.value.activatedAt, clock.now());
    assert.deepEqual(active.value.nextChargeAt, new Date('2027-02-28T10:01:00Z'));
    assert.deepEqual(await subscriptions.activate(1, subscription.subscriptionId), { ok: false, error: { kind: 'illegal-transition', from: 'active', to: 'active' } });
    assert.deepEqual(await subscriptions.activate(2, subscription.subscriptionId), { ok: false, error: { kind: 'unknown-subscription', subscriptionId: 1 } }, "another merchant's");
  });

  it('cancel ends the live subscription once; then not subscribed; a new join makes a new one', async () => {
    await join();
    clock.advance(DAY_MS);
    const cancelled = await subscriptions.cancel({ merchantId: 1, productId: 1002, msisdn: MSISDN, reason: 'merchant' });
    assert.ok(cancelled.ok);
    assert.equal(cancelled.value.state, 'cancelled');
    assert.equal(cancelled.value.cancelReason, 'merchant');
    assert.deepEqual(cancelled.value.cancelledAt, clock.now());
    assert.equal(cancelled.value.nextChargeAt, null);
    assert.deepEqual(await subscriptions.cancel({ merchantId: 1, productId: 1002, msisdn: MSISDN, reason: 'merchant' }), {
      ok: false,
      error: { kind: 'not-subscribed', productId: 1002 },
    });
    assert.equal(await subscriptions.findLive(1, 1002, MSISDN), null);
    const rejoined = await join();
    assert.equal(rejoined.subscription.subscriptionId, 2);
    assert.deepEqual(
      repository.events.map((e) => e.topic),
      ['subscription.started', 'subscription.cancelled', 'subscription.started'],
    );
    assert.deepEqual(
      (await subscriptions.listFor(1, MSISDN)).map((s) => [s.subscriptionId, s.state]),
      [
        [2, 'trial'],
        [1, 'cancelled'],
      ],
    );
  });

  it('a merchant cannot join, see or cancel on another merchant’s product', async () => {
    assert.deepEqual(await subscriptions.join({ ...JOIN, productId: 2001 }), { ok: false, error: { kind: 'unknown-product', productId: 2001 } });
    await join({ merchantId: 2, productId: 2001 });
    assert.equal(await subscriptions.findLive(1, 2001, MSISDN), null);
    assert.deepEqual(await subscriptions.cancel({ merchantId: 1, productId: 2001, msisdn: MSISDN, reason: 'merchant' }), {
      ok: false,
      error: { kind: 'not-subscribed', productId: 2001 },
    });
  });

  it('plans: a once-off product cannot be subscribed to; a given plan must be the product’s', async () => {
    assert.deepEqual(await subscriptions.join({ ...JOIN, productId: 1001 }), { ok: false, error: { kind: 'no-single-recurring-plan', productId: 1001, recurringPlans: 0 } });
    assert.deepEqual(await subscriptions.join({ ...JOIN, productId: 1001, planId: 1001 }), { ok: false, error: { kind: 'plan-not-recurring', planId: 1001 } });
    assert.deepEqual(await subscriptions.join({ ...JOIN, planId: 1003 }), { ok: false, error: { kind: 'unknown-plan', productId: 1002, planId: 1003 } });
    assert.deepEqual(await subscriptions.join({ ...JOIN, productId: 9 }), { ok: false, error: { kind: 'unknown-product', productId: 9 } });
    assert.deepEqual(await subscriptions.join({ ...JOIN, operator: '65501' }), { ok: false, error: { kind: 'invalid-field', field: 'operator', reason: 'must be MCC-MNC' } });
    assert.deepEqual(await subscriptions.join({ ...JOIN, reference: '' }), {
      ok: false,
      error: { kind: 'invalid-field', field: 'reference', reason: 'must be 1-100 characters without NUL' },
    });
    assert.equal(repository.rows.length, 0);
  });

  it('the state machine: cancelled is final, pending cannot fall behind on payment, a trial can', () => {
    for (const state of SUBSCRIPTION_STATES) assert.equal(canTransition('cancelled', state), false, `cancelled -> ${state}`);
    for (const state of SUBSCRIPTION_STATES.filter((s) => s !== 'cancelled')) assert.equal(canTransition(state, 'cancelled'), true, `${state} -> cancelled`);
    assert.equal(canTransition('pending', 'payment-pending'), false);
    assert.equal(canTransition('trial', 'payment-pending'), true);
    assert.equal(canTransition('active', 'pending'), false);
  });

  it('periods: days and weeks are exact, months keep the day or end on the month’s last', () => {
    const at = new Date('2027-01-31T10:00:00Z');
    assert.deepEqual(periodEnd(at, { unit: 'day', count: 1 }), new Date('2027-02-01T10:00:00Z'));
    assert.deepEqual(periodEnd(at, { unit: 'week', count: 2 }), new Date('2027-02-14T10:00:00Z'));
    assert.deepEqual(periodEnd(at, { unit: 'month', count: 1 }), new Date('2027-02-28T10:00:00Z'));
    assert.deepEqual(periodEnd(new Date('2028-01-31T00:00:00Z'), { unit: 'month', count: 1 }), new Date('2028-02-29T00:00:00Z'));
    assert.deepEqual(periodEnd(at, { unit: 'month', count: 12 }), new Date('2028-01-31T10:00:00Z'));
    assert.deepEqual(periodEnd(new Date('2027-03-15T00:00:00Z'), { unit: 'month', count: 1 }), new Date('2027-04-15T00:00:00Z'));
  });
});
