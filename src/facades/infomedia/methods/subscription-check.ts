import type { AsmxMethod } from '../../kit/asmx.js';
import { defineOperation } from '../../kit/operation.js';
import { isSubscribed } from '../../../core/subscriptions/rules.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE, fail } from '../faults.js';
import type { Partner } from '../partner.js';
import { readSubscriptionCall, SubscriptionInput, subscriptionAnswer, subscriptionMembers } from './subscription-members.js';

export const SubsCheck = subscriptionAnswer('SubsCheck', 'SubscriptionCheck');

/**
 * SubscriptionCheck (§4.4): whether the subscriber has the service now, in its free trial
 * or paid for. Joined but not yet paid, suspended, cancelled or never joined is
 * 18 - User is not subscribed (§13, §14).
 */
export function subscriptionCheck(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'SubscriptionCheck',
    input: SubscriptionInput,
    output: SubsCheck,
    async handle(partner: Partner, input) {
      const call = await readSubscriptionCall(deps, partner, input);
      const live = await deps.subscriptions.findLive(partner.endpoint.merchantId, call.product.productId, call.msisdn);
      if (!live || !isSubscribed(live.state)) throw fail(CODE.NotSubscribed);
      return subscriptionMembers(deps, partner, call, '00 - User is subscribed');
    },
  });
  return { operation, protocols: { httpGet: true, httpPost: true, json: true } };
}
