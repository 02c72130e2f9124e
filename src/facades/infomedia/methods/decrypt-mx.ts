import { Type } from 'typebox';
import type { AsmxMethod } from '../../kit/asmx.js';
import { contract, defineOperation } from '../../kit/operation.js';
import type { InfomediaDeps } from '../deps.js';
import type { Partner } from '../partner.js';
import { subscriberOf } from '../subscriber.js';
import { JSON_TYPE_PREFIX, MxParam, StatusMembers } from '../wire.js';

export const DecryptedMX = contract('DecryptedMX', Type.Object({ ...StatusMembers, MSISDN: Type.String() }), `${JSON_TYPE_PREFIX}DecryptMX`);

/** DecryptMX (§4.2): the MSISDN an MX of this partner seals, in international format without '+' (§14). */
export function decryptMx(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'DecryptMX',
    input: Type.Object({ MX: MxParam }),
    output: DecryptedMX,
    async handle(partner: Partner, { MX }) {
      // A plain number is no MX: what the partner asks to decrypt must have been sealed for it.
      const msisdn = subscriberOf(deps.sealer, partner, MX, false);
      return { Status: 'Success', Description: '00 - Everything was ok', MSISDN: msisdn.slice(1) };
    },
  });
  return { operation, protocols: { httpGet: true, httpPost: true, json: true } };
}
