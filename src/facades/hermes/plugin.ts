import type { FastifyPluginAsync } from 'fastify';
import type { ThrottledVerifier } from '../../core/merchants/throttled-verifier.js';
import { readMembers, soapBinding } from '../kit/soap.js';
import { asmxWsdl } from '../kit/wsdl-asmx.js';
import type { FrameworkErrorRoutes } from '../shared/framework-errors.js';
import { authenticateAccount, type HermesAccount } from './account.js';
import { faultResult, frameworkFault, type HermesFault, hermesFaults, soapFaultContent } from './faults.js';
import { type SendDeps, sendMessage, sendMessageWithCampaign } from './send.js';
import { Credentials, MAX_BODY_BYTES, SERVICE_NAME, SERVICE_NS } from './wire.js';

/** Hermes' path (§1, §14); matched case-insensitively (its WSDL is published at /HERMES/hermes.asmx?wsdl). */
export const HERMES_PREFIX = '/hermes/hermes.asmx';

export interface HermesDeps extends SendDeps {
  /** Username + MD5Hash, behind the login path's limits (CredentialService.verifyDigest). */
  readonly verifier: ThrottledVerifier;
  readonly frameworkErrors: FrameworkErrorRoutes;
}

/**
 * Hermes SMS on the kit's SOAP binding, ASMX style (SOAP 1.1 only: the document says GET,
 * POST and JSON are not supported): SendMessageWithCampaign and SendMessage, the WSDL at
 * ?wsdl. Username and MD5Hash are checked before the rest of the request is read.
 */
export const hermesPlugin: FastifyPluginAsync<HermesDeps> = async (app, deps) => {
  const operations = [sendMessageWithCampaign(deps), sendMessage(deps)];
  soapBinding<HermesAccount, HermesFault>(app, {
    style: { kind: 'asmx' },
    serviceNamespace: SERVICE_NS,
    maxBodyBytes: MAX_BODY_BYTES,
    operations,
    faults: hermesFaults,
    frameworkFault,
    faultContent: soapFaultContent,
    faultResult,
    authenticate: (request, call) => authenticateAccount(deps.verifier, request, readMembers(Credentials, call.members, call.operation.name)),
    wsdl: asmxWsdl({ serviceName: SERVICE_NAME, namespace: SERVICE_NS, credentials: Credentials, operations }),
    frameworkErrors: deps.frameworkErrors,
    logLabel: 'hermes request failed',
  });
};
