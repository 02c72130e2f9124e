import { Type } from 'typebox';
import type { TokenGrant } from '../../../core/tokens/types.js';
import { isCurrency } from '../../../kernel/money.js';
import type { AsmxMethod } from '../../kit/asmx.js';
import { contract, declared, defineOperation } from '../../kit/operation.js';
import { amountMinorOf } from '../amount.js';
import type { InfomediaDeps } from '../deps.js';
import { CODE, description, InfomediaError } from '../faults.js';
import type { Partner } from '../partner.js';
import { productOf } from '../product.js';
import { mccOf, mncOf, subscriberOf } from '../subscriber.js';
import { DataKeyValuePairs, IdParam, JSON_TYPE_PREFIX, UNSET_DATE_TIME } from '../wire.js';

export const ResponseTokenForRequest = contract(
  'ResponseTokenForRequest',
  Type.Object({ Token: Type.String(), ExpiresUtc: declared({ xsd: 'dateTime' }, Type.String()), ErrorMessage: Type.String() }),
  `${JSON_TYPE_PREFIX}ResponseTokenForRequest`,
);

const RequestTokenInput = Type.Object({ Parameters: DataKeyValuePairs, TokenTypeId: IdParam('int') });

/** The keys of each TokenTypeId (§4.1), lower-case as the document writes them; 2 names the subscriber too. */
const TYPE_1_KEYS = ['mnc', 'mcc', 'pt', 'chargeamount', 'itemdescription', 'bpid'] as const;
const TOKEN_TYPES: Readonly<Record<string, { readonly keys: readonly string[]; readonly purpose: TokenGrant['purpose'] }>> = {
  '1': { keys: TYPE_1_KEYS, purpose: 'checkout' },
  '2': { keys: [...TYPE_1_KEYS, 'mx'], purpose: 'checkout-for-subscriber' },
};

/** Core's names of the grant's fields, as the partner named them. */
const WIRE_KEY: Readonly<Record<string, string>> = { description: 'itemdescription', reference: 'pt', amount: 'chargeamount' };

/** A parameter the token cannot be issued with: its reason becomes the answer's ErrorMessage. */
class TokenRefusal extends Error {}

/**
 * RequestToken (§4.1), SOAP and JSON: a single-use token for the checkout page, bound to
 * this partner and product, expiring after 30 minutes. The method has no status codes: a
 * request that cannot have a token is answered with an empty Token, ExpiresUtc unset and
 * the reason in ErrorMessage (a wrong login or IP too, in the documented words).
 */
export function requestToken(deps: InfomediaDeps): AsmxMethod<Partner> {
  const operation = defineOperation({
    name: 'RequestToken',
    input: RequestTokenInput,
    output: ResponseTokenForRequest,
    async handle(partner: Partner, input) {
      try {
        const issued = await deps.tokens.issue(await grantOf(deps, partner, input));
        if (!issued.ok) throw new TokenRefusal(issued.error.kind === 'invalid-field' ? `${WIRE_KEY[issued.error.field] ?? issued.error.field} ${issued.error.reason}` : 'the token cannot be issued');
        return { Token: issued.value.token, ExpiresUtc: `${issued.value.expiresAt.toISOString().slice(0, 19)}Z`, ErrorMessage: '' };
      } catch (error) {
        if (error instanceof TokenRefusal) return { Token: '', ExpiresUtc: UNSET_DATE_TIME, ErrorMessage: error.message };
        // 02 for another partner's product, in the words of the other methods.
        if (error instanceof InfomediaError) return { Token: '', ExpiresUtc: UNSET_DATE_TIME, ErrorMessage: description(error.fault, 'RequestToken') };
        throw error;
      }
    },
  });
  return { operation, protocols: { httpGet: false, httpPost: false, json: true } };
}

async function grantOf(
  deps: InfomediaDeps,
  partner: Partner,
  input: { Parameters?: { Key?: string; Value?: string | number }[] | undefined; TokenTypeId?: string | undefined },
): Promise<TokenGrant> {
  const tokenType = TOKEN_TYPES[(input.TokenTypeId ?? '').trim()];
  if (!tokenType) throw new TokenRefusal('TokenTypeId must be 1 or 2');
  const values = parametersOf(input.Parameters ?? [], tokenType.keys);
  const given = (key: string) => values.get(key) ?? '';
  const product = await productOf(deps.products, partner, given('bpid'), CODE.InvalidBpid).catch((error: unknown) => {
    throw error instanceof InfomediaError && error.fault.code === CODE.InvalidBpid ? new TokenRefusal('bpid is not a product of this account') : error;
  });
  const currency = product.plans[0]?.currency ?? partner.endpoint.currency;
  if (!isCurrency(currency)) throw new TokenRefusal('bpid has no price in a currency the platform bills');
  return {
    endpointId: partner.endpoint.endpointId,
    purpose: tokenType.purpose,
    productId: product.productId,
    amountMinor: refusedAs('chargeamount must be a positive amount with at most 2 decimals', () => amountMinorOf(given('chargeamount'), currency)),
    currency,
    description: given('itemdescription'),
    reference: given('pt'),
    operator: refusedAs('mcc and mnc must be the network codes', () => `${mccOf(given('mcc'))}-${mncOf(given('mnc'))}`),
    msisdn: tokenType.purpose === 'checkout-for-subscriber' ? refusedAs('mx is not a valid MX or MSISDN with country code', () => subscriberOf(deps.sealer, partner, given('mx'))) : null,
  };
}

/** The pairs by lower-case key: each key of the type exactly once, no other. */
function parametersOf(pairs: readonly { Key?: string; Value?: string | number }[], keys: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const pair of pairs) {
    const key = (pair.Key ?? '').trim().toLowerCase();
    if (!keys.includes(key)) throw new TokenRefusal(`Parameters must only have the keys ${keys.join(', ')}`);
    if (values.has(key)) throw new TokenRefusal(`Parameters must not have ${key} twice`);
    values.set(key, String(pair.Value ?? '').trim());
  }
  const missing = keys.filter((key) => !values.has(key));
  if (missing.length > 0) throw new TokenRefusal(`Parameters must have ${missing.join(', ')}`);
  return values;
}

/** A parameter helper's documented code, here a reason in words. */
function refusedAs<T>(reason: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw error instanceof InfomediaError ? new TokenRefusal(reason) : error;
  }
}
