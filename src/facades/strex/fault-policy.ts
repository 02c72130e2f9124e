import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { buildXml } from '../../kernel/xml.js';
import { BindingError, type BindingProblem, type FaultPolicy } from '../kit/errors.js';
import { wantsXml, XSI_NS } from '../kit/rest.js';
import { BASIC_CHALLENGE } from './auth.js';
import { FAULT, StrexFault } from './faults.js';
import { FAULTS_NS } from './wire.js';

/**
 * Strex's one fault policy, for every binding: a fault an operation threw passes as it is;
 * what a binding found wrong, Fastify's validation and 4xx errors are code 2 (a missing
 * route code 3); anything else is logged and answered as code 5, never a stack trace.
 */
export const strexFaults: FaultPolicy<StrexFault> = (error, _request, logUnexpected) => {
  if (error instanceof StrexFault) return error;
  if (error instanceof BindingError) return bindingFault(error.problem);
  const { statusCode = 500, message } = error as FastifyError;
  if ((error as FastifyError).validation || (statusCode >= 400 && statusCode < 500)) {
    return new StrexFault(FAULT.Validation, `Invalid request: ${message}`);
  }
  logUnexpected(error);
  return new StrexFault(FAULT.Internal, 'Internal server error');
};

type ProblemFaults = { [K in BindingProblem['kind']]: (problem: Extract<BindingProblem, { kind: K }>) => StrexFault };

const PROBLEM_FAULTS: ProblemFaults = {
  malformed_xml: ({ detail }) => new StrexFault(FAULT.Validation, `Invalid XML body: ${detail}`),
  not_an_envelope: () => new StrexFault(FAULT.Validation, 'Not a SOAP 1.1 envelope with a Body'),
  not_one_operation: () => new StrexFault(FAULT.Validation, 'The SOAP Body must hold exactly one operation'),
  unknown_operation: ({ name }) => new StrexFault(FAULT.NotFound, `No such operation ${name}`),
  action_mismatch: ({ action, operation }) => new StrexFault(FAULT.Validation, `SOAPAction ${action} does not match the operation ${operation}`),
  invalid_input: ({ path, reason }) => new StrexFault(FAULT.Validation, `Invalid request: ${path} ${reason}`),
  no_route: () => new StrexFault(FAULT.NotFound, 'No such operation'),
};

function bindingFault(problem: BindingProblem): StrexFault {
  return (PROBLEM_FAULTS[problem.kind] as (problem: BindingProblem) => StrexFault)(problem);
}

/** A fault over REST: its HTTP status (401 with the Basic challenge), JSON or XML by Accept. */
export function sendRestFault(request: FastifyRequest, reply: FastifyReply, fault: StrexFault): FastifyReply {
  reply.code(fault.httpStatus).headers(fault.headers);
  if (fault.httpStatus === 401) reply.header('www-authenticate', BASIC_CHALLENGE);
  const body = { Code: fault.code, Description: fault.description };
  if (!wantsXml(request)) return reply.type('application/json; charset=utf-8').send(body);
  return reply.type('application/xml; charset=utf-8').send(buildXml(faultElement(fault)));
}

/** The DirectPaymentFault element in the faults namespace (a REST XML body, a SOAP fault's detail). */
export function faultElement(fault: StrexFault): Record<string, unknown> {
  return { DirectPaymentFault: { '@xmlns': FAULTS_NS, '@xmlns:i': XSI_NS, Code: fault.code, Description: fault.description } };
}
