import type { NewSubscription, SubscriptionRepository } from '../../../src/core/subscriptions/ports.js';
import type { CancelReason, Subscription, SubscriptionState } from '../../../src/core/subscriptions/types.js';
import type { Msisdn } from '../../../src/kernel/msisdn.js';

/** Subscriptions in memory with the live-subscription unique index and the events each write queues. */
export class InMemorySubscriptions implements SubscriptionRepository {
  readonly rows: Subscription[] = [];
  readonly events: { topic: string; subscriptionId: number; state: SubscriptionState }[] = [];

  async insertLive(n: NewSubscription, at: Date): Promise<{ subscription: Subscription; created: boolean }> {
    const live = this.rows.find((r) => r.msisdn === n.msisdn && r.productId === n.productId && r.state !== 'cancelled');
    if (live) return { subscription: live, created: false };
    const subscription: Subscription = {
      ...n,
      msisdn: n.msisdn as Msisdn,
      subscriptionId: this.rows.length + 1,
      startedAt: at,
      activatedAt: null,
      cancelledAt: null,
      cancelReason: null,
      updatedAt: at,
    };
    this.rows.push(subscription);
    this.events.push({ topic: 'subscription.started', subscriptionId: subscription.subscriptionId, state: subscription.state });
    return { subscription, created: true };
  }

  async findLive(merchantId: number, productId: number, msisdn: string): Promise<Subscription | null> {
    return this.rows.find((r) => r.merchantId === merchantId && r.productId === productId && r.msisdn === msisdn && r.state !== 'cancelled') ?? null;
  }

  async findById(merchantId: number, subscriptionId: number): Promise<Subscription | null> {
    return this.rows.find((r) => r.merchantId === merchantId && r.subscriptionId === subscriptionId) ?? null;
  }

  async listFor(merchantId: number, msisdn: string, limit: number): Promise<Subscription[]> {
    return this.rows.filter((r) => r.merchantId === merchantId && r.msisdn === msisdn).reverse().slice(0, limit);
  }

  async activate(subscriptionId: number, from: SubscriptionState, nextChargeAt: Date, at: Date): Promise<Subscription | null> {
    return this.#change(subscriptionId, from, 'subscription.activated', (r) => ({ ...r, state: 'active', activatedAt: r.activatedAt ?? at, nextChargeAt, updatedAt: at }));
  }

  async cancel(subscriptionId: number, from: SubscriptionState, reason: CancelReason, at: Date): Promise<Subscription | null> {
    return this.#change(subscriptionId, from, 'subscription.cancelled', (r) => ({ ...r, state: 'cancelled', cancelledAt: at, cancelReason: reason, nextChargeAt: null, updatedAt: at }));
  }

  #change(subscriptionId: number, from: SubscriptionState, topic: string, change: (r: Subscription) => Subscription): Subscription | null {
    const index = this.rows.findIndex((r) => r.subscriptionId === subscriptionId && r.state === from);
    const row = this.rows[index];
    if (!row) return null;
    const changed = change(row);
    this.rows[index] = changed;
    this.events.push({ topic, subscriptionId, state: changed.state });
    return changed;
  }
}
