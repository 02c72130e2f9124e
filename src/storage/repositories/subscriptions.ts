import { type Kysely, sql } from 'kysely';
import type { NewSubscription, SubscriptionRepository } from '../../core/subscriptions/ports.js';
import type { CancelReason, Subscription, SubscriptionState } from '../../core/subscriptions/types.js';
import { assert } from '../../kernel/assert.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Schema } from '../schema.js';

/** A join retried after a cancel slipped in between its insert and its read; more in a row is a bug. */
const MAX_JOIN_ATTEMPTS = 3;

type Id = string | number | bigint;
type Time = Date | string;
interface SubscriptionRow {
  id: Id;
  merchant_id: Id;
  endpoint_id: Id;
  product_id: Id;
  plan_id: Id;
  msisdn: string;
  operator: string | null;
  reference: string | null;
  state: string;
  started_at: Time;
  trial_ends_at: Time | null;
  activated_at: Time | null;
  next_charge_at: Time | null;
  cancelled_at: Time | null;
  cancel_reason: string | null;
  updated_at: Time;
}

/**
 * The subscription event of a changed row `s`, in the catalogue's shape
 * (SubscriptionEventPayload); each statement below writes its topic as a literal.
 */
const EVENT_PAYLOAD = sql.raw(`jsonb_strip_nulls(jsonb_build_object(
  'subscriptionId', s.id, 'merchantId', s.merchant_id, 'endpointId', s.endpoint_id, 'productId', s.product_id,
  'planId', s.plan_id, 'msisdn', s.msisdn, 'state', s.state, 'reason', s.cancel_reason,
  'at', to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))`);

export class SqlSubscriptionRepository implements SubscriptionRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async insertLive(n: NewSubscription, at: Date): Promise<{ subscription: Subscription; created: boolean }> {
    for (let attempt = 1; attempt <= MAX_JOIN_ATTEMPTS; attempt++) {
      const inserted = await this.#insertUnlessLive(n, at);
      if (inserted) return { subscription: inserted, created: true };
      // The unique index kept a live one, committed by now (the insert waited for it) ...
      const live = await this.findLive(n.merchantId, n.productId, n.msisdn);
      if (live) return { subscription: live, created: false };
      // ... unless it was cancelled between the insert and the read: then join again.
    }
    assert(false, `a join lost ${MAX_JOIN_ATTEMPTS} races with a cancel in a row`);
  }

  async #insertUnlessLive(n: NewSubscription, at: Date): Promise<Subscription | null> {
    const now = at.toISOString();
    const { rows } = await sql<SubscriptionRow>`
      WITH s AS (
        INSERT INTO subscriptions (merchant_id, endpoint_id, product_id, plan_id, msisdn, operator, reference, state,
                                   started_at, trial_ends_at, next_charge_at, updated_at)
        VALUES (${n.merchantId}, ${n.endpointId}, ${n.productId}, ${n.planId}, ${n.msisdn}, ${n.operator}, ${n.reference}, ${n.state},
                ${now}::timestamptz, ${n.trialEndsAt?.toISOString() ?? null}::timestamptz, ${n.nextChargeAt.toISOString()}::timestamptz, ${now}::timestamptz)
        ON CONFLICT (msisdn, product_id) WHERE state <> 'cancelled' DO NOTHING
        RETURNING *),
      e AS (
        INSERT INTO outbox_events (topic, payload, created_at, available_at)
        SELECT 'subscription.started', ${EVENT_PAYLOAD}, ${now}::timestamptz, ${now}::timestamptz FROM s)
      SELECT * FROM s`.execute(this.db);
    const [row] = rows;
    return row ? subscriptionOf(row) : null;
  }

  async findLive(merchantId: number, productId: number, msisdn: string): Promise<Subscription | null> {
    const row = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('product_id', '=', productId)
      .where('msisdn', '=', msisdn)
      .where('state', '<>', 'cancelled')
      .executeTakeFirst();
    return row ? subscriptionOf(row) : null;
  }

  async findById(merchantId: number, subscriptionId: number): Promise<Subscription | null> {
    const row = await this.db.selectFrom('subscriptions').selectAll().where('id', '=', subscriptionId).where('merchant_id', '=', merchantId).executeTakeFirst();
    return row ? subscriptionOf(row) : null;
  }

  async listFor(merchantId: number, msisdn: string, limit: number): Promise<Subscription[]> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('msisdn', '=', msisdn)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(subscriptionOf);
  }

  async activate(subscriptionId: number, from: SubscriptionState, nextChargeAt: Date, at: Date): Promise<Subscription | null> {
    const now = at.toISOString();
    const { rows } = await sql<SubscriptionRow>`
      WITH s AS (
        UPDATE subscriptions SET state = 'active', activated_at = coalesce(activated_at, ${now}::timestamptz),
               next_charge_at = ${nextChargeAt.toISOString()}::timestamptz, updated_at = ${now}::timestamptz
         WHERE id = ${subscriptionId} AND state = ${from}
        RETURNING *),
      e AS (
        INSERT INTO outbox_events (topic, payload, created_at, available_at)
        SELECT 'subscription.activated', ${EVENT_PAYLOAD}, ${now}::timestamptz, ${now}::timestamptz FROM s)
      SELECT * FROM s`.execute(this.db);
    const [row] = rows;
    return row ? subscriptionOf(row) : null;
  }

  async cancel(subscriptionId: number, from: SubscriptionState, reason: CancelReason, at: Date): Promise<Subscription | null> {
    const now = at.toISOString();
    const { rows } = await sql<SubscriptionRow>`
      WITH s AS (
        UPDATE subscriptions SET state = 'cancelled', cancelled_at = ${now}::timestamptz, cancel_reason = ${reason},
               next_charge_at = NULL, updated_at = ${now}::timestamptz
         WHERE id = ${subscriptionId} AND state = ${from}
        RETURNING *),
      e AS (
        INSERT INTO outbox_events (topic, payload, created_at, available_at)
        SELECT 'subscription.cancelled', ${EVENT_PAYLOAD}, ${now}::timestamptz, ${now}::timestamptz FROM s)
      SELECT * FROM s`.execute(this.db);
    const [row] = rows;
    return row ? subscriptionOf(row) : null;
  }
}

const timeOrNull = (t: Time | null): Date | null => (t === null ? null : new Date(t));

function subscriptionOf(r: SubscriptionRow): Subscription {
  return {
    subscriptionId: Number(r.id),
    merchantId: Number(r.merchant_id),
    endpointId: Number(r.endpoint_id),
    productId: Number(r.product_id),
    planId: Number(r.plan_id),
    msisdn: r.msisdn as Msisdn,
    operator: r.operator,
    reference: r.reference,
    state: r.state as SubscriptionState,
    startedAt: new Date(r.started_at),
    trialEndsAt: timeOrNull(r.trial_ends_at),
    activatedAt: timeOrNull(r.activated_at),
    nextChargeAt: timeOrNull(r.next_charge_at),
    cancelledAt: timeOrNull(r.cancelled_at),
    cancelReason: r.cancel_reason as CancelReason | null,
    updatedAt: new Date(r.updated_at),
  };
}
