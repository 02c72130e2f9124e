import type { CancelReason, Subscription, SubscriptionState } from './types.js';

export interface NewSubscription {
  readonly merchantId: number;
  readonly endpointId: number;
  readonly productId: number;
  readonly planId: number;
  readonly msisdn: string;
  readonly operator: string | null;
  readonly reference: string | null;
  readonly state: SubscriptionState;
  readonly trialEndsAt: Date | null;
  readonly nextChargeAt: Date;
}

/**
 * Each write changes one subscription in one statement and queues its outbox event in
 * the same statement; a conditional write answers null when the subscription is no
 * longer in state `from` (a concurrent change won), and then writes no event.
 */
export interface SubscriptionRepository {
  /**
   * Inserts the subscription unless the subscriber holds a live one to the product (a
   * unique index decides, so concurrent joins make one); then answers that one.
   */
  insertLive(subscription: NewSubscription, at: Date): Promise<{ subscription: Subscription; created: boolean }>;
  findLive(merchantId: number, productId: number, msisdn: string): Promise<Subscription | null>;
  findById(merchantId: number, subscriptionId: number): Promise<Subscription | null>;
  /** A merchant's subscriptions of one subscriber, newest first. */
  listFor(merchantId: number, msisdn: string, limit: number): Promise<Subscription[]>;
  activate(subscriptionId: number, from: SubscriptionState, nextChargeAt: Date, at: Date): Promise<Subscription | null>;
  cancel(subscriptionId: number, from: SubscriptionState, reason: CancelReason, at: Date): Promise<Subscription | null>;
}
