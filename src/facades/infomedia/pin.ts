import type { PinRedeemError, PinRequest } from '../../core/pins/service.js';
import { formatMinor } from '../../kernel/money.js';
import type { InfomediaDeps } from './deps.js';
import { type Code, CODE, fail } from './faults.js';
import type { Partner } from './partner.js';
import { productOf } from './product.js';
import { mccOf, mncOf, subscriberOf } from './subscriber.js';

/** Who PIN messages come from (an alphanumeric sender of at most 11 characters). */
export const PIN_SENDER = 'Infomedia';

/** Why a PIN did not approve its bill or join, as the code answered: one per cause. */
export const PIN_CODES: { readonly [K in PinRedeemError['kind']]: Code } = {
  wrong_pin: CODE.WrongPin,
  used: CODE.FlowCompleted,
  expired: CODE.PinExpired,
};

/** Uses the PIN in a statement of its own (ChargePinService.redeem): the transaction id it was used for, or the PIN's code thrown. */
export async function redeemPin(deps: InfomediaDeps, request: PinRequest, pin: string): Promise<string> {
  const result = await deps.pins.redeem(request, pin);
  if (!result.ok) throw fail(PIN_CODES[result.error.kind]);
  return result.value.transactionId;
}

/** What the SMS says besides the PIN (PINGenerateWithParams' params; the product's own name and price otherwise). */
export interface PinWording {
  readonly description?: string | undefined;
  readonly amount?: string | undefined;
  readonly frequency?: string | undefined;
}

/**
 * The PIN flow's first half, shared by PINGenerateWithNetwork and PINGenerateWithParams:
 * the subscriber (00), the network's codes' form (08, 07), the partner's product (15, 02),
 * then a PIN sent by SMS. A partner that asked for more PINs than the hourly limit is
 * answered 99: the document has no code for it, and 99 tells it to try again later.
 */
export async function issuePin(
  deps: InfomediaDeps,
  partner: Partner,
  request: { mx: string | undefined; mcc: string | undefined; mnc: string | undefined; productId: string | undefined; invalidProduct: Code },
  wording: PinWording | null,
): Promise<string> {
  const msisdn = subscriberOf(deps.sealer, partner, request.mx);
  mccOf(request.mcc);
  mncOf(request.mnc);
  const product = await productOf(deps.products, partner, request.productId, request.invalidProduct);
  const plan = product.plans[0];
  const price = plan ? `${formatMinor(plan.amountMinor, plan.currency)} ${plan.currency}` : undefined;
  const what = wording?.description ?? product.name;
  const cost = wording?.amount ?? price;
  const every = wording?.frequency ? ` per ${wording.frequency}` : '';
  const text = (pin: string) =>
    `Your PIN for ${what}${cost ? ` (${cost}${every})` : ''} is ${pin}. It is valid for 10 minutes. Do not share it.`;
  const issued = await deps.pins.issue({ endpointId: partner.endpoint.endpointId, msisdn, productId: product.productId }, { from: PIN_SENDER, text });
  if (!issued.ok) throw fail(CODE.Internal);
  return issued.value.pin;
}
