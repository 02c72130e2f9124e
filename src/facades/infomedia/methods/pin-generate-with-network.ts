import { Type } from 'typebox';
import type { AsmxMethod } from '../../kit/asmx.js';
import { contract, defineOperation } from '../../kit/operation.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE } from '../faults.js';
import type { Partner } from '../partner.js';
import { issuePin } from '../pin.js';
import { IdParam, JSON_TYPE_PREFIX, MccParam, MncParam, MxParam, StatusMembers } from '../wire.js';

export const PINGenerateResult = contract(
  'PINGenerateResult',
  Type.Object({ ...StatusMembers, PINID: Type.String() }),
  `${JSON_TYPE_PREFIX}PINGenerateWithNetwork`,
);

/** PINGenerateWithNetwork (§4.6): a PIN for the product SMSed to the subscriber; PINID is the PIN itself, as the document says. */
export function pinGenerateWithNetwork(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'PINGenerateWithNetwork',
    input: Type.Object({ MX: MxParam, MCC: MccParam('string'), MNC: MncParam('string'), SID: IdParam('int') }),
    output: PINGenerateResult,
    async handle(partner: Partner, { MX, MCC, MNC, SID }) {
      const pin = await issuePin(deps, partner, { mx: MX, mcc: MCC, mnc: MNC, productId: SID, invalidProduct: CODE.InvalidSid }, null);
      return { Status: 'Success', Description: '00 - Everything was OK', PINID: pin };
    },
  });
  return { operation, protocols: { httpGet: true, httpPost: true, json: true } };
}
