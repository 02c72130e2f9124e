import { Type } from 'typebox';
import type { SubscriberProfile } from '../../../core/carrier/ports.js';
import type { ChargeConsent } from '../../../core/payments/types.js';
import type { AsmxMethod } from '../../kit/asmx.js';
import { contract, declared, defineOperation } from '../../kit/operation.js';
import { amountMinorOf } from '../amount.js';
import { billOutcome, CONF, type ConfOutcome } from '../bill-outcomes.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE, fail } from '../faults.js';
import type { Partner } from '../partner.js';
import { redeemPin } from '../pin.js';
import { productOf } from '../product.js';
import { mccOf, mncOf, mxOf, subscriberOf } from '../subscriber.js';
import { Credentials, IdParam, JSON_TYPE_PREFIX, MccParam, MncParam, MxParam, StatusMembers } from '../wire.js';

const nullableText = Type.Union([Type.String(), Type.Null()]);
export const Conf = contract(
  'Conf',
  Type.Object({ Status: Type.String(), Description: Type.String(), PortedMCC: nullableText, PortedMNC: nullableText }),
  `${JSON_TYPE_PREFIX}Conf`,
);
export const Bill = contract(
  'Bill',
  Type.Object({
    ...StatusMembers,
    BPID: nullableText,
    MX: nullableText,
    TXID: nullableText,
    MCC: nullableText,
    MNC: nullableText,
    Conf: Type.Optional(Conf),
  }),
  `${JSON_TYPE_PREFIX}Bill`,
);

const text = (maxLength: number) => declared({ declaredRequired: true }, Type.Optional(Type.String({ maxLength })));

/** The request in the document's order: U and P before PIN (§4.7), so the WSDL lists them there. */
const SendBillWithPinInput = Type.Object({
  BPID: IdParam('long'),
  PT: text(200),
  MX: MxParam,
  MNC: MncParam('int'),
  MCC: MccParam('int'),
  // A decimal: a JSON number (1.00, 0.25) or a string; read exactly from its decimal text.
  Amount: declared({ declaredRequired: true, xsd: 'decimal' }, Type.Optional(Type.Union([Type.String({ maxLength: 24 }), Type.Number()]))),
  ItemDescription: text(200),
  U: Credentials.properties.U,
  P: Credentials.properties.P,
  PIN: text(12),
});

/**
 * SendBillWithPin (§4.7, §5.1, §14.1): the PIN of the subscriber and product approves one
 * charge through the same core charge path as every other facade's (ledger, limits,
 * blocklist, idempotency, settlement of late operator answers). The PIN is the charge's
 * consent, judged in the statement that reserves it (decision 49), and the charge's
 * idempotency key is the transaction id written into the PIN it uses: a retry, or fifty
 * concurrent requests with one PIN, bill once and the others are told the flow is completed (36).
 */
export function sendBillWithPin(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'SendBillWithPin',
    input: SendBillWithPinInput,
    output: Bill,
    async handle(partner: Partner, input) {
      const msisdn = subscriberOf(deps.sealer, partner, input.MX);
      const mcc = mccOf(input.MCC);
      const mnc = mncOf(input.MNC);
      const product = await productOf(deps.products, partner, input.BPID, CODE.InvalidBpid);
      const amountMinor = amountMinorOf(input.Amount, partner.service.currency);
      const profile = await deps.subscribers.profile(msisdn);
      const ported = portedAway(profile, `${mcc}-${mnc}`);
      const pinRequest = { endpointId: partner.endpoint.endpointId, msisdn, productId: product.productId };
      const answer = (txid: string, outcome: ConfOutcome, portedTo: [string, string] | null = null) => ({
        Status: 'Success',
        Description: '00 - Everything was ok',
        BPID: String(product.productId),
        MX: mxOf(deps.sealer, partner, msisdn),
        TXID: txid,
        MCC: mcc,
        MNC: mnc,
        Conf: { Status: outcome[0], Description: outcome[1], PortedMCC: portedTo?.[0] ?? null, PortedMNC: portedTo?.[1] ?? null },
      });
      const charge = (txid: string, consent: ChargeConsent) =>
        deps.payments.charge(partner.service, {
          idempotencyKey: txid,
          amountMinor,
          currency: partner.service.currency,
          subscriber: msisdn,
          consent,
          pricePolicy: { rules: [] },
          productCode: String(product.productId),
          description: input.ItemDescription,
          fingerprint: [product.productId, input.PT ?? null, input.ItemDescription ?? null],
          details: { pt: input.PT ?? null, itemDescription: input.ItemDescription ?? null },
        });
      // The partner billed the network the number left: the PIN is used, nothing is charged,
      // the new network is named where AutoPort is on.
      if (ported) return answer(await redeemPin(deps, pinRequest, input.PIN ?? ''), CONF.Ported, partner.autoPort ? ported : null);
      const { transactionId, approval } = deps.pins.approval(pinRequest, input.PIN ?? '');
      let txid = transactionId;
      let charged = await charge(txid, { mode: 'pin', pin: approval });
      if (!charged.ok && charged.error.kind === 'pin_salted') {
        // A PIN sent before PINs were hashed with their context: judged first, then charged
        // with the consent it gave (at most PIN_LIFETIME_MS after an upgrade).
        txid = await redeemPin(deps, pinRequest, input.PIN ?? '');
        charged = await charge(txid, { mode: 'none' });
      }
      if (charged.ok) return answer(txid, profile.whitelisted ? CONF.Whitelisted : CONF.Paid);
      const outcome = billOutcome(charged.error);
      if ('code' in outcome) throw fail(outcome.code);
      return answer(txid, outcome.conf);
    },
  });
  return { operation, protocols: { httpGet: true, httpPost: true, json: true } };
}

/**
 * The subscriber's network as MCC and MNC when the request names the network the number
 * was ported away from; null when it names the subscriber's own network. Any other
 * network is the partner's mistake: 08 when the country differs, 07 when only the network does.
 */
function portedAway(profile: SubscriberProfile, given: string): [string, string] | null {
  const [mcc = '', mnc = ''] = profile.operator.mccMnc.split('-');
  if (profile.operator.mccMnc === given) return null;
  if (profile.portedFrom?.mccMnc === given) return [mcc, mnc];
  if (!given.startsWith(`${mcc}-`)) throw fail(CODE.InvalidMcc);
  throw fail(CODE.InvalidMnc);
}

