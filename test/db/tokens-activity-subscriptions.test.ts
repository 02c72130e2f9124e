import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { endpointKindCatalog } from '../../src/composition/endpoint-kinds.js';
import { ActivityService } from '../../src/core/activity/service.js';
import { AccountsService } from '../../src/core/merchants/accounts.js';
import { decodePayload } from '../../src/core/outbox/catalogue.js';
import { ProductService } from '../../src/core/products/service.js';
import { SubscriptionService } from '../../src/core/subscriptions/service.js';
import { TokenService } from '../../src/core/tokens/service.js';
import type { TokenGrant } from '../../src/core/tokens/types.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { sha256Hex } from '../../src/kernel/secrets.js';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { SqlAccountsRepository } from '../../src/storage/repositories/accounts.js';
import { SqlActivityRepository } from '../../src/storage/repositories/activity.js';
import { SqlProductRepository } from '../../src/storage/repositories/products.js';
import { SqlTokenRepository } from '../../src/storage/repositories/purchase-tokens.js';
import { SqlSubscriptionRepository } from '../../src/storage/repositories/subscriptions.js';
import { databaseUrlFor, engines } from '../support/app.js';
import { FakeClock } from '../support/fakes/clock.js';

const must = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) assert.fail(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
};
const CONCURRENCY = 20;
const DAY_MS = 24 * 60 * 60_000;
const MSISDN = '+27825550042' as Msisdn;

/** Tokens, the activity log and subscriptions in SQL (decision 40): the fakes' rules, held by the tables' constraints. */
for (const engine of engines()) {
  describe(`tokens, activity, subscriptions [${engine}]`, () => {
    let db: Database;
    const clock = new FakeClock('2027-01-31T10:00:00Z');
    let tokens: TokenService;
    let activity: ActivityService;
    let subscriptions: SubscriptionService;
    let merchantId: number;
    let otherMerchantId: number;
    let endpointId: number;
    before(async () => {
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'tokens_activity_subscriptions'), dataDir: 'memory://' });
      await migrate(db);
      const accounts = new AccountsService(new SqlAccountsRepository(db.kysely), endpointKindCatalog(), clock);
      const productRepository = new SqlProductRepository(db.kysely);
      const products = new ProductService(productRepository, clock);
      merchantId = must(await accounts.createMerchant('Subscriptions merchant'));
      otherMerchantId = must(await accounts.createMerchant('Other merchant'));
      const vendorIds = { 'partner-id': '7100', paid: '00000000-0000-4000-8000-000000007100' };
      endpointId = must(await accounts.addEndpoint({ merchantId, kind: 'infomedia-payments', name: 'IM', currency: 'ZAR', settings: {}, vendorIds })).endpointId;
      for (const [productId, owner, billing] of [
        [8001, merchantId, { kind: 'once' }],
        [8002, merchantId, { kind: 'recurring', period: { unit: 'week', count: 1 }, trialDays: 3 }],
        [8003, merchantId, { kind: 'recurring', period: { unit: 'month', count: 1 }, trialDays: 0 }],
        [8004, otherMerchantId, { kind: 'recurring', period: { unit: 'month', count: 1 }, trialDays: 0 }],
      ] as const) {
        must(await products.addProduct({ productId, merchantId: owner, name: `Product ${productId}` }));
        must(await products.addPlan({ planId: productId, productId, amountMinor: 500n, currency: 'ZAR', billing }));
      }
      tokens = new TokenService(new SqlTokenRepository(db.kysely), clock);
      activity = new ActivityService(new SqlActivityRepository(db.kysely), clock);
      subscriptions = new SubscriptionService(new SqlSubscriptionRepository(db.kysely), productRepository, clock);
    });
    after(() => db.close());

    const grant: TokenGrant = {
      endpointId: 0,
      purpose: 'checkout-for-subscriber',
      productId: 8001,
      amountMinor: 25n,
      currency: 'ZAR',
      description: 'Gems',
      reference: 'pt=a&b',
      operator: '655-01',
      msisdn: MSISDN,
    };
    const events = async (topic: string) =>
      (await sql<{ payload: Record<string, unknown>; created_at: Date }>`SELECT payload, created_at FROM outbox_events WHERE topic = ${topic} ORDER BY id`.execute(db.kysely)).rows;

    it(`a token is stored as its SHA-256 and of ${CONCURRENCY} concurrent consumers exactly one gets it`, async () => {
      const { token, expiresAt } = must(await tokens.issue({ ...grant, endpointId }));
      const stored = await db.kysely.selectFrom('purchase_tokens').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirstOrThrow();
      assert.deepEqual(new Date(stored.expires_at), expiresAt);
      assert.equal(stored.msisdn, MSISDN);
      assert.deepEqual(await tokens.consume(token, 8002), { ok: false, error: { kind: 'unknown-token' } }, 'another product');
      const answers = await Promise.all(Array.from({ length: CONCURRENCY }, () => tokens.consume(token, 8001)));
      const won = answers.filter((a) => a.ok);
      assert.equal(won.length, 1);
      const [winner] = won;
      assert.ok(winner?.ok);
      assert.deepEqual({ ...winner.value, tokenId: 0 }, {
        ...grant,
        endpointId,
        tokenId: 0,
        issuedAt: clock.now(),
        expiresAt,
        consumedAt: clock.now(),
      });
      for (const a of answers.filter((a) => !a.ok)) assert.deepEqual(a, { ok: false, error: { kind: 'token-used', consumedAt: clock.now() } });
    });

    it('a token expires on the clock: refused as expired at its expiry, consumed a millisecond before', async () => {
      const early = must(await tokens.issue({ ...grant, endpointId }, 60_000));
      const late = must(await tokens.issue({ ...grant, endpointId }, 60_000));
      clock.advance(59_999);
      assert.ok((await tokens.consume(early.token, 8001)).ok);
      clock.advance(1);
      assert.deepEqual(await tokens.consume(late.token, 8001), { ok: false, error: { kind: 'token-expired', expiresAt: late.expiresAt } });
    });

    it('activity entries keep every digit of their typed values and are listed by merchant and time, paged by (time, id)', async () => {
      const entry = {
        merchantId,
        endpointId,
        productId: 8002,
        msisdn: MSISDN,
        operator: '655-01',
        engagement: 'banner-clicked',
        data: [
          { key: 'LandingPageEngagementID', value: { type: 'integer', value: 9_223_372_036_854_775_807n } },
          { key: 'Amount', value: { type: 'decimal', value: '0.25000001' } },
          { key: 'UserAgent', value: { type: 'text', value: 'Mozilla/5.0 "quoted" ✓' } },
        ],
      } as const;
      const from = clock.now();
      const first = must(await activity.log(entry));
      const second = must(await activity.log({ ...entry, engagement: 'service-accessed', data: [] }));
      must(await activity.log({ ...entry, merchantId: otherMerchantId }));
      clock.advance(1000);
      const third = must(await activity.log({ ...entry, engagement: 'unsubscribe' }));
      const until = new Date(clock.now().getTime() + 1);
      const listed = must(await activity.list({ merchantId, from, until, limit: 10 }));
      assert.deepEqual(
        listed.map((e) => [e.entryId, e.engagement, e.occurredAt.toISOString()]),
        [
          [first.entryId, 'banner-clicked', from.toISOString()],
          [second.entryId, 'service-accessed', from.toISOString()],
          [third.entryId, 'unsubscribe', third.occurredAt.toISOString()],
        ],
      );
      assert.deepEqual(listed[0], { ...entry, entryId: first.entryId, occurredAt: from });
      const page = must(await activity.list({ merchantId, from, until, limit: 10, after: { occurredAt: from, entryId: first.entryId } }));
      assert.deepEqual(page.map((e) => e.entryId), [second.entryId, third.entryId]);
      assert.deepEqual(must(await activity.list({ merchantId, from, until: clock.now(), limit: 10 })).length, 2, 'until is exclusive');
    });

    it(`${CONCURRENCY} concurrent joins make one subscription and one event; the index refuses a second live row`, async () => {
      const join = { merchantId, endpointId, productId: 8002, msisdn: MSISDN, operator: '655-01', reference: 'PT-1' };
      const answers = await Promise.all(Array.from({ length: CONCURRENCY }, () => subscriptions.join(join)));
      const joined = answers.map(must);
      assert.equal(joined.filter((j) => j.created).length, 1);
      const [one] = joined;
      assert.ok(one);
      for (const j of joined) assert.deepEqual(j.subscription, one.subscription);
      assert.equal(one.subscription.state, 'trial');
      assert.deepEqual(one.subscription.trialEndsAt, new Date(clock.now().getTime() + 3 * DAY_MS));
      const started = await events('subscription.started');
      assert.equal(started.length, 1);
      assert.deepEqual(decodePayload('subscription.started', started[0]?.payload ?? {}), {
        subscriptionId: one.subscription.subscriptionId,
        merchantId,
        endpointId,
        productId: 8002,
        planId: 8002,
        msisdn: MSISDN,
        state: 'trial',
        reason: undefined,
        at: clock.now().toISOString(),
      });
      assert.deepEqual(started[0]?.created_at, clock.now(), 'queued at the clock time');
      await assert.rejects(
        sql`INSERT INTO subscriptions (merchant_id, endpoint_id, product_id, plan_id, msisdn, state, started_at, next_charge_at, updated_at)
            VALUES (${merchantId}, ${endpointId}, 8002, 8002, ${MSISDN}, 'active', now(), now(), now())`.execute(db.kysely),
        /subscriptions_live/,
      );
    });

    it(`${CONCURRENCY} concurrent cancels cancel once with one event; a join after makes a new subscription`, async () => {
      clock.advance(DAY_MS);
      const cancel = { merchantId, productId: 8002, msisdn: MSISDN, reason: 'merchant' } as const;
      const answers = await Promise.all(Array.from({ length: CONCURRENCY }, () => subscriptions.cancel(cancel)));
      const cancelled = answers.filter((a) => a.ok);
      assert.equal(cancelled.length, 1);
      for (const a of answers.filter((a) => !a.ok)) assert.deepEqual(a, { ok: false, error: { kind: 'not-subscribed', productId: 8002 } });
      const [done] = cancelled;
      assert.ok(done?.ok);
      assert.deepEqual([done.value.state, done.value.cancelReason, done.value.cancelledAt, done.value.nextChargeAt], ['cancelled', 'merchant', clock.now(), null]);
      const ended = await events('subscription.cancelled');
      assert.equal(ended.length, 1);
      assert.equal(decodePayload('subscription.cancelled', ended[0]?.payload ?? {}).reason, 'merchant');
      const again = must(await subscriptions.join({ merchantId, endpointId, productId: 8002, msisdn: MSISDN, operator: null, reference: null }));
      assert.equal(again.created, true);
      assert.notEqual(again.subscription.subscriptionId, done.value.subscriptionId);
      assert.deepEqual(
        (await subscriptions.listFor(merchantId, MSISDN)).map((s) => s.state),
        ['trial', 'cancelled'],
      );
    });

    it('a plan without trial joins pending and activates for a month; tenancy: another merchant sees nothing', async () => {
      const { subscription } = must(await subscriptions.join({ merchantId, endpointId, productId: 8003, msisdn: MSISDN, operator: null, reference: null }));
      assert.equal(subscription.state, 'pending');
      const active = must(await subscriptions.activate(merchantId, subscription.subscriptionId));
      assert.equal(active.state, 'active');
      assert.deepEqual(clock.now(), new Date('2027-02-01T10:01:01Z'));
      assert.deepEqual(active.nextChargeAt, new Date('2027-03-01T10:01:01Z'), 'one month on');
      assert.equal((await events('subscription.activated')).length, 1);
      assert.deepEqual(await subscriptions.activate(otherMerchantId, subscription.subscriptionId), {
        ok: false,
        error: { kind: 'unknown-subscription', subscriptionId: subscription.subscriptionId },
      });
      assert.equal(await subscriptions.findLive(otherMerchantId, 8003, MSISDN), null);
      assert.deepEqual(await subscriptions.join({ merchantId: otherMerchantId, endpointId, productId: 8003, msisdn: MSISDN, operator: null, reference: null }), {
        ok: false,
        error: { kind: 'unknown-product', productId: 8003 },
      });
    });
  });
}
