import { Type } from 'typebox';
import type { AsmxMethod } from '../../kit/asmx.js';
import { contract, declared, defineOperation } from '../../kit/operation.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE, fail, InfomediaError } from '../faults.js';
import type { Partner } from '../partner.js';
import { productOf } from '../product.js';
import { mccOf, mncOf, subscriberOf } from '../subscriber.js';
import { DataKeyValuePairs, IdParam, JSON_TYPE_PREFIX, MccParam, MncParam, MxParam, StatusMembers } from '../wire.js';
import { activityItems, engagementOf } from './activity-catalogue.js';

export const LogActivityResult = contract(
  'LogActivityResult',
  Type.Object({ ...StatusMembers, EngagementID: declared({ xsd: 'long' }, Type.Union([Type.Integer(), Type.Null()])) }),
  `${JSON_TYPE_PREFIX}LogActivity`,
);

const LogActivityInput = Type.Object({
  ProductID: IdParam('int'),
  MX: MxParam,
  MCC: MccParam('int'),
  MNC: MncParam('int'),
  EngagementTypeID: IdParam('int'),
  Data: DataKeyValuePairs,
});

/** 39 with what is wrong appended, the one code the method has for a bad parameter (§4.9, §5). */
const badData = (detail: string) => fail(CODE.InvalidEngagementData, `: ${detail}`);

/**
 * LogActivity (§4.9, §6), SOAP only: the activity is kept in core's activity log with its
 * engagement and typed data, and answered with its id. Every parameter that is missing or
 * not what the catalogue says is 39 with details; another partner's product is 02.
 */
export function logActivity(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'LogActivity',
    input: LogActivityInput,
    output: LogActivityResult,
    async handle(partner: Partner, input) {
      const product = await productOf(deps.products, partner, input.ProductID, CODE.InvalidEngagementData).catch((error: unknown) => {
        throw asBadData(error, 'ProductID is not a product');
      });
      const msisdn = orBadData('MX is not a valid MX or MSISDN with country code', () => subscriberOf(deps.sealer, partner, input.MX));
      const network = orBadData('MCC and MNC must be the network codes', () => `${mccOf(input.MCC)}-${mncOf(input.MNC)}`);
      const engagement = engagementOf(input.EngagementTypeID);
      if (!engagement.ok) throw badData(engagement.error);
      if (input.Data === undefined) throw badData('Data is required');
      const items = activityItems(input.Data.map((pair) => ({ Key: pair.Key ?? '', Value: String(pair.Value ?? '') })));
      if (!items.ok) throw badData(items.error);
      const logged = await deps.activity.log({
        merchantId: partner.endpoint.merchantId,
        endpointId: partner.endpoint.endpointId,
        productId: product.productId,
        msisdn,
        operator: network,
        engagement: engagement.value,
        data: items.value,
      });
      if (!logged.ok) throw badData(`${logged.error.field} ${logged.error.reason}`);
      return { Status: 'Success', Description: '00 - Everything was OK', EngagementID: logged.value.entryId };
    },
  });
  return { operation, protocols: { httpGet: false, httpPost: false, json: false } };
}

/** A parameter helper's own code (00, 07, 08, 15) is 39 here; 02 (another partner's product) stays 02. */
function asBadData(error: unknown, detail: string): unknown {
  if (!(error instanceof InfomediaError) || error.fault.code === CODE.Unauthorised) return error;
  return badData(detail);
}

function orBadData<T>(detail: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw asBadData(error, detail);
  }
}
