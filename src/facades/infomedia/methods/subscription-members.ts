import { type TObject, Type } from 'typebox';
import type { Product } from '../../../core/products/types.js';
import type { Msisdn } from '../../../kernel/msisdn.js';
import { contract } from '../../kit/operation.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE } from '../faults.js';
import type { Partner } from '../partner.js';
import { productOf } from '../product.js';
import { mccOf, mncOf, mxOf, subscriberOf } from '../subscriber.js';
import { IdParam, JSON_TYPE_PREFIX, MccParam, MncParam, MxParam, StatusMembers } from '../wire.js';

/** The request of SubscriptionCheck and SubscriptionUnsubscribe in the document's order (§4.4, §4.5). */
export const SubscriptionInput = Type.Object({ SID: IdParam('int'), MX: MxParam, MNC: MncParam('int'), MCC: MccParam('int') });

const nullableText = Type.Union([Type.String(), Type.Null()]);

/** Their answer, under the method's own root and __type; members other than Status and Description are null in an error. */
export function subscriptionAnswer(root: string, method: string): TObject {
  return contract(root, Type.Object({ ...StatusMembers, SID: nullableText, MX: nullableText, MCC: nullableText, MNC: nullableText }), `${JSON_TYPE_PREFIX}${method}`);
}

export interface SubscriptionCall {
  readonly product: Product;
  readonly msisdn: Msisdn;
  readonly mcc: string;
  readonly mnc: string;
}

/**
 * The parameters read in the request's order, each refused by its own code: SID not a
 * product (15) or another partner's (02), MX (00), MNC (07), MCC (08).
 */
export async function readSubscriptionCall(
  deps: InfomediaDeps,
  partner: Partner,
  input: { SID?: string | undefined; MX?: string | undefined; MNC?: string | undefined; MCC?: string | undefined },
): Promise<SubscriptionCall> {
  const product = await productOf(deps.products, partner, input.SID, CODE.InvalidSid);
  const msisdn = subscriberOf(deps.sealer, partner, input.MX);
  const mnc = mncOf(input.MNC);
  return { product, msisdn, mcc: mccOf(input.MCC), mnc };
}

/** A success answer: the SID, the subscriber's MX sealed for this partner, the network as given. */
export function subscriptionMembers(deps: InfomediaDeps, partner: Partner, call: SubscriptionCall, description: string) {
  return { Status: 'Success', Description: description, SID: String(call.product.productId), MX: mxOf(deps.sealer, partner, call.msisdn), MCC: call.mcc, MNC: call.mnc };
}
