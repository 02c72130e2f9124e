import { type Static, Type } from 'typebox';
import type { Product } from '../../../core/products/types.js';
import { isSubscribed } from '../../../core/subscriptions/rules.js';
import type { Subscription } from '../../../core/subscriptions/types.js';
import type { AsmxMethod } from '../../kit/asmx.js';
import { contract, declared, defineOperation } from '../../kit/operation.js';
import { billOutcome, CONF, type ConfOutcome } from '../bill-outcomes.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE, fail } from '../faults.js';
import type { Partner } from '../partner.js';
import { redeemPin } from '../pin.js';
import { mxOf } from '../subscriber.js';
import { DataKeyValuePairs, IdParam, JSON_TYPE_PREFIX, MccParam, MncParam, MxParam, StatusMembers } from '../wire.js';
import { Bill } from './send-bill-with-pin.js';
import { readSubscriptionCall, type SubscriptionCall } from './subscription-members.js';

const nullableText = Type.Union([Type.String(), Type.Null()]);
export const SubscriptionUser = contract('User', Type.Object({ Subscribed: Type.String(), Suspended: Type.String() }), `${JSON_TYPE_PREFIX}User`);
export const SubsJoin = contract(
  'SubsJoin',
  Type.Object({
    ...StatusMembers,
    SID: nullableText,
    MX: nullableText,
    MCC: nullableText,
    MNC: nullableText,
    User: Type.Optional(SubscriptionUser),
    TXID: nullableText,
    // The one Conf member of SendBillWithPin's Bill: a WSDL declares a contract once.
    Conf: Bill.properties.Conf,
  }),
  `${JSON_TYPE_PREFIX}SubscriptionJoinWithParams`,
);

const text = (maxLength: number) => declared({ declaredRequired: false }, Type.Optional(Type.String({ maxLength })));

/**
 * The request as the client in the field sends it (§12): SID, MX, MCC, MNC and Params
 * with the keys PIN and PTSubscriberID. GET and POST form cannot carry an array, so there
 * the two keys may be parameters of their own.
 */
const JoinInput = Type.Object({ SID: IdParam('int'), MX: MxParam, MCC: MccParam('string'), MNC: MncParam('string'), Params: Type.Optional(DataKeyValuePairs), PIN: text(12), PTSubscriberID: text(100) });
type JoinParams = { Params?: { Key?: string; Value?: string | number }[] | undefined; PIN?: string | undefined; PTSubscriberID?: string | undefined };

/**
 * SubscriptionJoinWithParams (§12, §14): the PIN sent to the subscriber for the product
 * (PINGenerateWithParams or PINGenerateWithNetwork) approves joining it. A plan with a
 * free trial starts the trial and bills nothing now; otherwise the first period is billed
 * at the product's own price through the core charge path, the PIN's transaction id as
 * its idempotency key, and the subscription is active once paid, ended (non-payment) if
 * refused, and left pending while the operator has not answered. A subscriber who already
 * holds a live subscription to the product is answered with it, and the PIN is not used.
 */
export function subscriptionJoinWithParams(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'SubscriptionJoinWithParams',
    input: JoinInput,
    output: SubsJoin,
    async handle(partner: Partner, input) {
      const call = await readSubscriptionCall(deps, partner, input);
      const plan = call.product.plans.find((p) => p.billing.kind === 'recurring');
      if (!plan) throw fail(CODE.InvalidSid);
      const answer = (subscription: Subscription | null, txid: string | null, outcome: ConfOutcome | null) => joinAnswer(deps, partner, call, subscription, txid, outcome);
      // Any live subscription is answered as it stands (one whose first bill awaits the operator too): never a second bill.
      const held = await deps.subscriptions.findLive(partner.endpoint.merchantId, call.product.productId, call.msisdn);
      if (held) return answer(held, null, null);
      const { pin, reference } = joinParams(input);
      const txid = await redeemPin(deps, { endpointId: partner.endpoint.endpointId, msisdn: call.msisdn, productId: call.product.productId }, pin);
      const joined = await deps.subscriptions.join({
        merchantId: partner.endpoint.merchantId,
        endpointId: partner.endpoint.endpointId,
        productId: call.product.productId,
        planId: plan.planId,
        msisdn: call.msisdn,
        operator: `${call.mcc}-${call.mnc}`,
        reference,
      });
      if (!joined.ok) throw fail(CODE.InvalidSid);
      const { subscription, created } = joined.value;
      // Not created: a concurrent join (with another PIN) made it, and bills it.
      if (!created || subscription.state !== 'pending') return answer(subscription, null, null);
      return billFirstPeriod(deps, partner, call, subscription, txid, answer);
    },
  });
  return { operation, protocols: { httpGet: true, httpPost: true, json: true } };
}

type JoinAnswer = Static<typeof SubsJoin>;
type Answer = (subscription: Subscription | null, txid: string | null, outcome: ConfOutcome | null) => JoinAnswer;

/** The answer to a join: the subscriber's standing after it, and the first bill's TXID and Conf when one was attempted. */
function joinAnswer(deps: InfomediaDeps, partner: Partner, call: SubscriptionCall, subscription: Subscription | null, txid: string | null, outcome: ConfOutcome | null): JoinAnswer {
  return {
    Status: 'Success',
    Description: '00 - Everything was ok',
    SID: String(call.product.productId),
    MX: mxOf(deps.sealer, partner, call.msisdn),
    MCC: call.mcc,
    MNC: call.mnc,
    User: { Subscribed: String(subscription !== null && isSubscribed(subscription.state)), Suspended: String(subscription?.state === 'suspended') },
    TXID: txid,
    ...(outcome ? { Conf: { Status: outcome[0], Description: outcome[1], PortedMCC: null, PortedMNC: null } } : {}),
  };
}

async function billFirstPeriod(deps: InfomediaDeps, partner: Partner, call: SubscriptionCall, subscription: Subscription, txid: string, answer: Answer): Promise<JoinAnswer> {
  const product: Product = call.product;
  const plan = product.plans.find((p) => p.planId === subscription.planId);
  if (!plan) throw fail(CODE.InvalidSid);
  const charged = await deps.payments.charge(partner.service, {
    idempotencyKey: txid,
    amountMinor: plan.amountMinor,
    currency: plan.currency,
    subscriber: call.msisdn,
    // The subscriber approved joining with the PIN sent to the handset, checked above.
    consent: { mode: 'none' },
    pricePolicy: { rules: [] },
    productCode: String(product.productId),
    description: product.name,
    fingerprint: [product.productId, 'subscription', subscription.subscriptionId],
    details: { subscriptionId: subscription.subscriptionId, period: 1 },
  });
  const merchantId = partner.endpoint.merchantId;
  if (charged.ok) {
    const active = await deps.subscriptions.activate(merchantId, subscription.subscriptionId);
    const { whitelisted } = await deps.subscribers.profile(call.msisdn);
    return answer(active.ok ? active.value : subscription, txid, whitelisted ? CONF.Whitelisted : CONF.Paid);
  }
  const outcome = billOutcome(charged.error);
  // Not paid and not waiting for the operator: the subscription ends as it began.
  if ('code' in outcome || outcome.conf[0] === 'Error') {
    await deps.subscriptions.cancel({ merchantId, productId: product.productId, msisdn: call.msisdn, reason: 'non-payment' });
  }
  if ('code' in outcome) throw fail(outcome.code);
  return answer(outcome.conf[0] === 'Error' ? null : subscription, txid, outcome.conf);
}

/** PIN and PTSubscriberID from Params (keys case-insensitive), or given as parameters of their own. */
function joinParams(input: JoinParams): { pin: string; reference: string | null } {
  const values = new Map<string, string>();
  for (const pair of input.Params ?? []) values.set((pair.Key ?? '').trim().toLowerCase(), String(pair.Value ?? '').trim());
  const pin = values.get('pin') ?? input.PIN?.trim() ?? '';
  const reference = values.get('ptsubscriberid') ?? input.PTSubscriberID?.trim() ?? '';
  return { pin, reference: reference === '' ? null : reference.slice(0, 100) };
}
