import { Type } from 'typebox';
import type { AsmxMethod } from '../../kit/asmx.js';
import { contract, defineOperation } from '../../kit/operation.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE, fail } from '../faults.js';
import type { Partner } from '../partner.js';
import { mccOf, mncOf, subscriberOf } from '../subscriber.js';
import { JSON_TYPE_PREFIX, MccParam, MncParam, MxParam, StatusMembers } from '../wire.js';

export const AliasLookup = contract('AliasLookup', Type.Object({ ...StatusMembers, CarrierAlias: Type.String() }), `${JSON_TYPE_PREFIX}AliasLookUp`);

/**
 * AliasLookUp (§4.3): the operator's alias of the subscriber. Only the network the
 * subscriber is on has one: an MCC/MNC of another network, or a number its operator does
 * not know, is 31 - No Alias found for this MSISDN.
 */
export function aliasLookUp(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'AliasLookUp',
    input: Type.Object({ MX: MxParam, MCC: MccParam('string'), MNC: MncParam('string') }),
    output: AliasLookup,
    async handle(partner: Partner, { MX, MCC, MNC }) {
      const msisdn = subscriberOf(deps.sealer, partner, MX);
      const network = `${mccOf(MCC)}-${mncOf(MNC)}`;
      const profile = await deps.subscribers.profile(msisdn);
      if (!profile.known || profile.operator.mccMnc !== network) throw fail(CODE.NoAlias);
      return { Status: 'Success', Description: '00 - Everything was ok', CarrierAlias: deps.sealer.operatorAlias(network, msisdn) };
    },
  });
  return { operation, protocols: { httpGet: true, httpPost: true, json: true } };
}
