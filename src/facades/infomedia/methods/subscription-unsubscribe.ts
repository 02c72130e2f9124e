import type { AsmxMethod } from '../../kit/asmx.js';
import { defineOperation } from '../../kit/operation.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE, fail } from '../faults.js';
import type { Partner } from '../partner.js';
import { readSubscriptionCall, SubscriptionInput, subscriptionAnswer, subscriptionMembers } from './subscription-members.js';

export const SubsUnsub = subscriptionAnswer('SubsUnsub', 'SubscriptionUnsubscribe');

/**
 * SubscriptionUnsubscribe (§4.5): the partner cancels the subscriber's live subscription
 * (any state but cancelled, a trial or one not yet paid included), which queues the
 * unsubscription event. Nothing live to cancel, a second call included, is
 * 18 - User is not subscribed, so a retry cancels nothing twice.
 */
export function subscriptionUnsubscribe(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'SubscriptionUnsubscribe',
    input: SubscriptionInput,
    output: SubsUnsub,
    async handle(partner: Partner, input) {
      const call = await readSubscriptionCall(deps, partner, input);
      const cancelled = await deps.subscriptions.cancel({ merchantId: partner.endpoint.merchantId, productId: call.product.productId, msisdn: call.msisdn, reason: 'merchant' });
      if (!cancelled.ok) throw fail(CODE.NotSubscribed);
      return subscriptionMembers(deps, partner, call, '00 - User has been unsubscribed');
    },
  });
  return { operation, protocols: { httpGet: true, httpPost: true, json: true } };
}
