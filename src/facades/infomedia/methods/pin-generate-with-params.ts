import { Type } from 'typebox';
import type { AsmxMethod } from '../../kit/asmx.js';
import { contract, defineOperation } from '../../kit/operation.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE } from '../faults.js';
import type { Partner } from '../partner.js';
import { issuePin, type PinWording } from '../pin.js';
import { DataKeyValuePairs, IdParam, JSON_TYPE_PREFIX, MccParam, MncParam, MxParam, StatusMembers } from '../wire.js';

export const PINGenerateWithParamsResult = contract(
  'PINGenerateWithParamsResult',
  Type.Object({ ...StatusMembers, PINID: Type.String() }),
  `${JSON_TYPE_PREFIX}PINGenerateWithParams`,
);

/** The frequencies §14 allows; the SMS says "per day", "per week", "per month". */
const FREQUENCIES = new Set(['day', 'week', 'month']);
/** Longer values are cut: they only word the SMS, which must stay within a few parts. */
const MAX_WORDING_CHARS = 60;

/**
 * PINGenerateWithParams (seen in the field, reference §12, §14): PINGenerateWithNetwork
 * with the product named ProductID and Params (amount, frequency, language, description,
 * keys matched case-insensitively) that only word the PIN SMS. Billing is the product's own
 * price and period; params that differ from the product are not an error, and unknown keys
 * or a frequency other than day, week or month are left out of the SMS.
 */
export function pinGenerateWithParams(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'PINGenerateWithParams',
    input: Type.Object({ ProductID: IdParam('int'), MX: MxParam, MCC: MccParam('string'), MNC: MncParam('string'), Params: DataKeyValuePairs }),
    output: PINGenerateWithParamsResult,
    async handle(partner: Partner, { ProductID, MX, MCC, MNC, Params }) {
      const request = { mx: MX, mcc: MCC, mnc: MNC, productId: ProductID, invalidProduct: CODE.InvalidSid };
      const pin = await issuePin(deps, partner, request, wordingOf(Params ?? []));
      return { Status: 'Success', Description: '00 - Everything was OK', PINID: pin };
    },
  });
  return { operation, protocols: { httpGet: true, httpPost: true, json: true } };
}

function wordingOf(params: readonly { Key?: string | undefined; Value?: string | number | undefined }[]): PinWording {
  const value = (key: string) => {
    const found = params.find((param) => (param.Key ?? '').trim().toLowerCase() === key)?.Value;
    const text = found === undefined ? '' : String(found).trim();
    return text === '' ? undefined : text.slice(0, MAX_WORDING_CHARS);
  };
  const frequency = value('frequency')?.toLowerCase();
  return { description: value('description'), amount: value('amount'), frequency: frequency && FREQUENCIES.has(frequency) ? frequency : undefined };
}
