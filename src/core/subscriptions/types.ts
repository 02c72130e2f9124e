import type { Msisdn } from '../../kernel/msisdn.js';

/**
 * A subscription's states. pending: joined, its first charge not yet made; trial: joined
 * on a plan with a free trial; active: paid for the current period; payment-pending: a
 * period's charge is being retried; suspended: held (by the operator or the network);
 * cancelled: ended, for good (a new join makes a new subscription).
 */
export const SUBSCRIPTION_STATES = ['pending', 'trial', 'active', 'payment-pending', 'suspended', 'cancelled'] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

/** Who or what ended a subscription. */
export const CANCEL_REASONS = ['merchant', 'subscriber', 'non-payment', 'operator'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

export const MAX_REFERENCE_CHARS = 100;
export const MAX_LIST_SUBSCRIPTIONS = 100;

/** One subscriber's subscription to one product of a merchant, on one of its recurring plans. */
export interface Subscription {
  readonly subscriptionId: number;
  readonly merchantId: number;
  readonly endpointId: number;
  readonly productId: number;
  readonly planId: number;
  readonly msisdn: Msisdn;
  /** MCC-MNC, when known. */
  readonly operator: string | null;
  /** The merchant's own id of the subscriber, if it gave one. */
  readonly reference: string | null;
  readonly state: SubscriptionState;
  readonly startedAt: Date;
  readonly trialEndsAt: Date | null;
  readonly activatedAt: Date | null;
  /** When recurring billing next charges it; null once cancelled. */
  readonly nextChargeAt: Date | null;
  readonly cancelledAt: Date | null;
  readonly cancelReason: CancelReason | null;
  readonly updatedAt: Date;
}

export interface JoinRequest {
  readonly merchantId: number;
  readonly endpointId: number;
  readonly productId: number;
  /** The plan; when not given, the product's only recurring plan. */
  readonly planId?: number | undefined;
  readonly msisdn: Msisdn;
  readonly operator: string | null;
  readonly reference: string | null;
}

export interface Joined {
  readonly subscription: Subscription;
  /** false: the subscriber already held a live subscription to the product, which is answered unchanged. */
  readonly created: boolean;
}

/** One kind per cause, each with what explains it. */
export type SubscriptionError =
  | { readonly kind: 'invalid-field'; readonly field: string; readonly reason: string }
  | { readonly kind: 'unknown-product'; readonly productId: number }
  | { readonly kind: 'unknown-plan'; readonly productId: number; readonly planId: number }
  | { readonly kind: 'plan-not-recurring'; readonly planId: number }
  | { readonly kind: 'no-single-recurring-plan'; readonly productId: number; readonly recurringPlans: number }
  | { readonly kind: 'not-subscribed'; readonly productId: number }
  | { readonly kind: 'unknown-subscription'; readonly subscriptionId: number }
  | { readonly kind: 'illegal-transition'; readonly from: SubscriptionState; readonly to: SubscriptionState };
