import { Type } from 'typebox';
import type { RefundError } from '../../../core/refunds/service.js';
import { formatMinor } from '../../../kernel/money.js';
import type { AsmxMethod } from '../../kit/asmx.js';
import { contract, declared, defineOperation } from '../../kit/operation.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE, fail } from '../faults.js';
import type { Partner } from '../partner.js';
import { JSON_TYPE_PREFIX, StatusMembers } from '../wire.js';

export const RefundResult = contract(
  'RefundResult',
  Type.Object({ ...StatusMembers, RefundAmount: Type.String(), RefundCurrencyCode: Type.String() }),
  `${JSON_TYPE_PREFIX}RefundTransaction`,
);

/** The refund reason codes of §5.2. */
export const REFUND_REASONS: ReadonlyMap<string, string> = new Map([
  ['05', 'Service not working'],
  ['10', 'Dissatisfied with service'],
  ['11', 'Unaware of service'],
  ['40', 'Gesture of goodwill'],
  ['41', 'Insufficient proof of consent to charge'],
  ['42', 'Carrier request'],
  ['43', 'Regulator request'],
  ['44', 'No service usage'],
]);

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const text = (maxLength: number) => declared({ declaredRequired: true }, Type.Optional(Type.String({ maxLength })));

/**
 * RefundTransaction (§4.8): the whole bill back through the core's refund (a reversal in
 * the ledger, the operator credited), its reason stored. 12: no bill of this partner has
 * the TXID; 45: a reason §5.2 does not list; 46: refunded before (also when two refunds
 * race: one wins); 47: the TXID's bill was never paid (refused, pending, or nothing billed).
 */
export function refundTransaction(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'RefundTransaction',
    input: Type.Object({ TXID: text(64), ReasonCode: text(8) }),
    output: RefundResult,
    async handle(partner: Partner, { TXID, ReasonCode }) {
      const txid = (TXID ?? '').trim().toLowerCase();
      if (!UUID.test(txid)) throw fail(CODE.InvalidTxid);
      const reason = (ReasonCode ?? '').trim();
      if (!REFUND_REASONS.has(reason)) throw fail(CODE.InvalidReasonCode);
      const refunded = await deps.refunds.refund(partner.service, txid, reason);
      if (!refunded.ok) throw await refundFault(deps, partner, txid, refunded.error);
      const { amountMinor, currency } = refunded.value;
      return { Status: 'Success', Description: '00 - Transaction Refunded', RefundAmount: formatMinor(amountMinor, currency), RefundCurrencyCode: currency };
    },
  });
  return { operation, protocols: { httpGet: true, httpPost: true, json: true } };
}

async function refundFault(deps: InfomediaDeps, partner: Partner, txid: string, error: RefundError): Promise<Error> {
  switch (error.kind) {
    case 'already_refunded':
      return fail(CODE.AlreadyRefunded);
    case 'not_paid':
      return fail(CODE.RefundFailed);
    case 'not_found':
      // A TXID the partner was given for a bill that charged nothing (a ported number) is known: nothing to refund.
      return fail((await deps.pins.isTransaction(partner.endpoint.endpointId, txid)) ? CODE.RefundFailed : CODE.InvalidTxid);
  }
}
