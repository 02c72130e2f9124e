import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { VerificationError, VerificationService } from '../../core/verification/service.js';
import { parseMsisdn } from '../../kernel/msisdn.js';
import { parseWireDateTime } from '../../kernel/wcf-date.js';
import { authenticatedService } from './auth.js';
import { FAULT, StrexFault } from './faults.js';
import { faultResponses, SendVerificationCodeRequest, ServiceParams, VerifyVerificationCodeRequest } from './wire.js';

const FAULTS: Record<VerificationError['kind'], (typeof FAULT)[keyof typeof FAULT]> = {
  invalid: FAULT.Validation,
  rate_limited: FAULT.Forbidden,
  not_found: FAULT.NotFound,
  expired: FAULT.Expired,
};

type Params = { Params: Static<typeof ServiceParams> };

/** SendVerificationCode and VerifyVerificationCode (routes of the reference §17). */
export function registerVerificationRoutes(app: FastifyInstance, verification: VerificationService): void {
  app.post<Params & { Body: Static<typeof SendVerificationCodeRequest> }>(
    '/service/:serviceId/verificationcode',
    { schema: { params: ServiceParams, body: SendVerificationCodeRequest, response: faultResponses } },
    async (request, reply) => {
      const msisdn = msisdnOf(request.body.Msisdn);
      const expiry = request.body.ExpiryTime === undefined ? undefined : parseWireDateTime(request.body.ExpiryTime);
      if (expiry === null) throw new StrexFault(FAULT.Validation, 'Invalid ExpiryTime');
      const result = await verification.send(authenticatedService(request), {
        msisdn,
        verificationExpiresAt: expiry,
        template: request.body.Template,
      });
      if (!result.ok) throw new StrexFault(FAULTS[result.error.kind], result.error.message);
      return reply.code(200).send();
    },
  );

  app.post<Params & { Body: Static<typeof VerifyVerificationCodeRequest> }>(
    '/service/:serviceId/verificationcode/verify',
    { schema: { params: ServiceParams, body: VerifyVerificationCodeRequest, response: faultResponses } },
    async (request, reply) => {
      const msisdn = msisdnOf(request.body.Msisdn);
      const result = await verification.verify(authenticatedService(request), msisdn, request.body.VerificationCode);
      if (!result.ok) throw new StrexFault(FAULTS[result.error.kind], result.error.message);
      return reply.code(200).send();
    },
  );
}

function msisdnOf(text: string) {
  const msisdn = parseMsisdn(text);
  if (!msisdn) throw new StrexFault(FAULT.InvalidMsisdn, 'Invalid msisdn');
  return msisdn;
}
