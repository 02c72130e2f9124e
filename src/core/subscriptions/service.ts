import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { ProductRepository } from '../products/ports.js';
import type { PricePlan } from '../products/types.js';
import type { SubscriptionRepository } from './ports.js';
import { assertTransition, canTransition, initialState, isLive, periodEnd, trialEnd } from './rules.js';
import {
  type CancelReason,
  type Joined,
  type JoinRequest,
  MAX_LIST_SUBSCRIPTIONS,
  MAX_REFERENCE_CHARS,
  type Subscription,
  type SubscriptionError,
  type SubscriptionState,
} from './types.js';

const OPERATOR = /^[0-9]{3}-[0-9]{2,3}$/;
/** A cancel retried after its subscription changed state under it; more in a row is a bug (each change is a real transition). */
const MAX_CANCEL_ATTEMPTS = 5;
type RecurringPlan = PricePlan & { readonly billing: { readonly kind: 'recurring' } };

/**
 * Subscriptions of subscribers to merchants' recurring products. Every change is one
 * conditional write with its outbox event; a transition is checked against the state
 * machine (rules.ts) before it is asked for, and a change that lost a race is re-read.
 */
export class SubscriptionService {
  constructor(
    private readonly repository: SubscriptionRepository,
    private readonly products: Pick<ProductRepository, 'findProduct'>,
    private readonly clock: Clock,
  ) {}

  /** Joins the subscriber, or answers the live subscription it already holds to the product. */
  async join(request: JoinRequest): Promise<Result<Joined, SubscriptionError>> {
    const invalid = joinProblem(request);
    if (invalid) return err(invalid);
    const plan = await this.#recurringPlan(request);
    if (!plan.ok) return plan;
    const at = this.clock.now();
    const { trialDays } = plan.value.billing;
    const trialEndsAt = trialDays > 0 ? trialEnd(at, trialDays) : null;
    const joined = await this.repository.insertLive(
      {
        merchantId: request.merchantId,
        endpointId: request.endpointId,
        productId: request.productId,
        planId: plan.value.planId,
        msisdn: request.msisdn,
        operator: request.operator,
        reference: request.reference,
        state: initialState(trialDays),
        trialEndsAt,
        nextChargeAt: trialEndsAt ?? at,
      },
      at,
    );
    return ok(joined);
  }

  /** The subscriber's live subscription to the product (any state but cancelled), if any. */
  findLive(merchantId: number, productId: number, msisdn: string): Promise<Subscription | null> {
    return this.repository.findLive(merchantId, productId, msisdn);
  }

  listFor(merchantId: number, msisdn: string): Promise<Subscription[]> {
    return this.repository.listFor(merchantId, msisdn, MAX_LIST_SUBSCRIPTIONS);
  }

  /** The first charge (or the end of the trial's charge) succeeded: paid until one period from now. */
  async activate(merchantId: number, subscriptionId: number): Promise<Result<Subscription, SubscriptionError>> {
    const current = await this.repository.findById(merchantId, subscriptionId);
    if (!current) return err({ kind: 'unknown-subscription', subscriptionId });
    if (!canTransition(current.state, 'active')) return err({ kind: 'illegal-transition', from: current.state, to: 'active' });
    const product = await this.products.findProduct(current.productId);
    const plan = product?.plans.find((p) => p.planId === current.planId);
    if (!plan || plan.billing.kind !== 'recurring') return err({ kind: 'unknown-plan', productId: current.productId, planId: current.planId });
    assertTransition(current.state, 'active');
    const at = this.clock.now();
    const activated = await this.repository.activate(subscriptionId, current.state, periodEnd(at, plan.billing.period), at);
    return activated ? ok(activated) : this.#lostRace(merchantId, subscriptionId, 'active');
  }

  /**
   * Cancels the subscriber's live subscription to the product. Of concurrent cancels one
   * cancels (and queues the event); the others, like any later one, find it not subscribed.
   */
  async cancel(request: { merchantId: number; productId: number; msisdn: string; reason: CancelReason }, attempt = 1): Promise<Result<Subscription, SubscriptionError>> {
    assert(attempt <= MAX_CANCEL_ATTEMPTS, `a cancel lost ${MAX_CANCEL_ATTEMPTS} races in a row`);
    const current = await this.repository.findLive(request.merchantId, request.productId, request.msisdn);
    if (!current) return err({ kind: 'not-subscribed', productId: request.productId });
    assertTransition(current.state, 'cancelled');
    const cancelled = await this.repository.cancel(current.subscriptionId, current.state, request.reason, this.clock.now());
    if (cancelled) return ok(cancelled);
    const now = await this.repository.findById(request.merchantId, current.subscriptionId);
    // Moved on meanwhile: still live (say, activated) is cancelled from its new state; cancelled is someone else's cancel.
    if (now && isLive(now.state)) return this.cancel(request, attempt + 1);
    return err({ kind: 'not-subscribed', productId: request.productId });
  }

  async #lostRace(merchantId: number, subscriptionId: number, to: SubscriptionState): Promise<Result<Subscription, SubscriptionError>> {
    const now = await this.repository.findById(merchantId, subscriptionId);
    if (!now) return err({ kind: 'unknown-subscription', subscriptionId });
    return err({ kind: 'illegal-transition', from: now.state, to });
  }

  async #recurringPlan(request: JoinRequest): Promise<Result<RecurringPlan, SubscriptionError>> {
    const product = await this.products.findProduct(request.productId);
    // Another merchant's product is unknown to this one: tenancy answers the same as absence.
    if (!product || product.merchantId !== request.merchantId) return err({ kind: 'unknown-product', productId: request.productId });
    const recurring = product.plans.filter((p): p is RecurringPlan => p.billing.kind === 'recurring');
    if (request.planId !== undefined) {
      const plan = product.plans.find((p) => p.planId === request.planId);
      if (!plan) return err({ kind: 'unknown-plan', productId: request.productId, planId: request.planId });
      return plan.billing.kind === 'recurring' ? ok(plan as RecurringPlan) : err({ kind: 'plan-not-recurring', planId: plan.planId });
    }
    const [only] = recurring;
    if (recurring.length !== 1 || !only) return err({ kind: 'no-single-recurring-plan', productId: request.productId, recurringPlans: recurring.length });
    return ok(only);
  }
}

function joinProblem(request: JoinRequest): SubscriptionError | null {
  const invalid = (field: string, reason: string): SubscriptionError => ({ kind: 'invalid-field', field, reason });
  if (request.operator !== null && !OPERATOR.test(request.operator)) return invalid('operator', 'must be MCC-MNC');
  if (request.reference !== null && (request.reference.length === 0 || request.reference.length > MAX_REFERENCE_CHARS || request.reference.includes('\u0000'))) {
    return invalid('reference', `must be 1-${MAX_REFERENCE_CHARS} characters without NUL`);
  }
  return null;
}
