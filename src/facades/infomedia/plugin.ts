import type { FastifyPluginAsync } from 'fastify';
import { asmxBinding } from '../kit/asmx.js';
import { authenticatePartner } from './auth.js';
import type { InfomediaDeps } from './deps.js';
import { faultAnswer, frameworkFault, type InfomediaFault, infomediaFaults, soapFaultContent } from './faults.js';
import { infomediaMethods } from './operations.js';
import type { Partner } from './partner.js';
import { Credentials, MAX_BODY_BYTES, SERVICE_NAME, SERVICE_NS } from './wire.js';

/** The path of the Mobile Payments API (§1, §14); matched case-insensitively, as ASP.NET matches it. */
export const INFOMEDIA_PREFIX = '/V/1/6/Default.asmx';

/**
 * Infomedia's Mobile Payments API on the kit's ASMX bindings: SOAP 1.1 on the .asmx (WSDL
 * at ?wsdl), and /{Method} over HTTP GET, POST form and JSON. U and P are checked before
 * a method reads its parameters.
 */
export const infomediaPlugin: FastifyPluginAsync<InfomediaDeps> = async (app, deps) => {
  await asmxBinding<Partner, InfomediaFault>(app, {
    serviceNamespace: SERVICE_NS,
    serviceName: SERVICE_NAME,
    maxBodyBytes: MAX_BODY_BYTES,
    methods: infomediaMethods(deps),
    credentials: Credentials,
    faults: infomediaFaults,
    frameworkFault,
    faultAnswer,
    soapFaultContent,
    authenticate: (request, credentials) => authenticatePartner(deps.verifier, request, credentials as { U?: string; P?: string }),
    frameworkErrors: deps.frameworkErrors,
    logLabel: 'infomedia request failed',
  });
};
