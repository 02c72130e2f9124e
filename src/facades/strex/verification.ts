import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { VerificationService } from '../../core/verification/service.js';
import { authenticatedService } from './auth.js';
import { sendVerificationCode, verifyVerificationCode } from './operations.js';
import { faultResponses, SendVerificationCodeRequest, ServiceParams, VerifyVerificationCodeRequest } from './wire.js';

type Params = { Params: Static<typeof ServiceParams> };

/** SendVerificationCode and VerifyVerificationCode (routes of the reference §17); 200 with an empty body. */
export function registerVerificationRoutes(app: FastifyInstance, verification: VerificationService): void {
  app.post<Params & { Body: Static<typeof SendVerificationCodeRequest> }>(
    '/service/:serviceId/verificationcode',
    { schema: { params: ServiceParams, body: SendVerificationCodeRequest, response: faultResponses } },
    async (request, reply) => {
      await sendVerificationCode(verification, authenticatedService(request), request.body);
      return reply.code(200).send();
    },
  );

  app.post<Params & { Body: Static<typeof VerifyVerificationCodeRequest> }>(
    '/service/:serviceId/verificationcode/verify',
    { schema: { params: ServiceParams, body: VerifyVerificationCodeRequest, response: faultResponses } },
    async (request, reply) => {
      await verifyVerificationCode(verification, authenticatedService(request), request.body);
      return reply.code(200).send();
    },
  );
}
