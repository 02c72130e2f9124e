import type { AsmxMethod } from '../kit/asmx.js';
import type { InfomediaDeps } from './deps.js';
import { aliasLookUp } from './methods/alias-lookup.js';
import { decryptMx } from './methods/decrypt-mx.js';
import { logActivity } from './methods/log-activity.js';
import { pinGenerateWithNetwork } from './methods/pin-generate-with-network.js';
import { pinGenerateWithParams } from './methods/pin-generate-with-params.js';
import { refundTransaction } from './methods/refund-transaction.js';
import { requestToken } from './methods/request-token.js';
import { sendBillWithPin } from './methods/send-bill-with-pin.js';
import { subscriptionCheck } from './methods/subscription-check.js';
import { subscriptionJoinWithParams } from './methods/subscription-join-with-params.js';
import { subscriptionUnsubscribe } from './methods/subscription-unsubscribe.js';
import type { Partner } from './partner.js';

/**
 * The Mobile Payments API's methods, one per file in methods/, in the order the WSDL lists
 * them; each says which bindings serve it (infomedia-reference §3). Add a method with one line here.
 */
export function infomediaMethods(deps: InfomediaDeps): AsmxMethod<Partner>[] {
  return [
    requestToken(deps),
    decryptMx(deps),
    aliasLookUp(deps),
    subscriptionCheck(deps),
    subscriptionUnsubscribe(deps),
    pinGenerateWithNetwork(deps),
    pinGenerateWithParams(deps),
    sendBillWithPin(deps),
    refundTransaction(deps),
    logActivity(deps),
    subscriptionJoinWithParams(deps),
  ];
}
