import type { FastifyError, FastifyRequest } from 'fastify';
import { BindingError, type BindingProblem, type FaultPolicy, inputMember } from '../kit/errors.js';
import type { AnyOperation } from '../kit/operation.js';
import { contractName, type WireAnnotations } from '../kit/operation.js';
import type { AsmxAnswer } from '../kit/asmx.js';
import type { TObject } from 'typebox';
import { UNSET_DATE_TIME } from './wire.js';

/**
 * The documented error codes (infomedia-reference §5), text verbatim (the typo
 * "Unuathorised" included). 01 is cased per method (login()).
 */
export const CODE = {
  InvalidMx: ['00', 'Invalid MX'],
  Unauthorised: ['02', 'Unuathorised'],
  InvalidBpid: ['03', 'Invalid BPID'],
  UnauthorisedIp: ['06', 'Unauthorised IP'],
  InvalidMnc: ['07', 'Invalid MNC'],
  InvalidMcc: ['08', 'Invalid MCC'],
  NoResponseFromBill: ['09', 'No response from bill'],
  BillNotSent: ['10', 'Error attempting to bill. No bill sent'],
  BillNotLogged: ['11', 'Error inserting bill into DSite log'],
  InvalidTxid: ['12', 'Invalid TXID'],
  InvalidSid: ['15', 'Invalid SID'],
  NotSubscribed: ['18', 'User is not subscribed'],
  NoAlias: ['31', 'No Alias found for this MSISDN'],
  WrongPin: ['35', 'The PIN entered does not match the generated PIN'],
  FlowCompleted: ['36', 'This Flow has already been completed'],
  Blacklisted: ['37', 'The MSISDN is Blacklisted'],
  InvalidEngagementData: ['39', 'Invalid Engagement Data Parameters Supplied'],
  InvalidReasonCode: ['45', 'Invalid ReasonCode'],
  AlreadyRefunded: ['46', 'TransactionID already refunded'],
  RefundFailed: ['47', 'Refund failed'],
  PinExpired: ['49', 'PIN has expired'],
  Internal: ['99', 'Internal Error'],
} as const satisfies Record<string, readonly [string, string]>;

export type Code = (typeof CODE)[keyof typeof CODE] | 'login';

/** Methods whose table writes "01 - Invalid login" with a lower-case l; the others write "Invalid Login". */
const LOWER_CASE_LOGIN = new Set(['DecryptMX', 'SubscriptionCheck']);

/** An Infomedia error answer: a documented code (HTTP 200, Status Error), or an unreadable request (its HTTP status, no code). */
export interface InfomediaFault {
  readonly httpStatus: number;
  readonly code: Code | null;
  /** Appended to the text (39's details), or the whole text of a fault without a code. */
  readonly detail?: string;
}

export class InfomediaError extends Error {
  constructor(readonly fault: InfomediaFault) {
    super(fault.code === null ? (fault.detail ?? 'error') : fault.code === 'login' ? '01' : fault.code[0]);
  }
}

export const fail = (code: Code, detail?: string): InfomediaError =>
  new InfomediaError(detail === undefined ? { httpStatus: 200, code } : { httpStatus: 200, code, detail });

/** "NN - text" as the method's table writes it. */
export function description(fault: InfomediaFault, method: string | null): string {
  if (fault.code === null) return fault.detail ?? 'Invalid request';
  const [code, text] = fault.code === 'login' ? ['01', LOWER_CASE_LOGIN.has(method ?? '') ? 'Invalid login' : 'Invalid Login'] : fault.code;
  return `${code} - ${text}${fault.detail ?? ''}`;
}

/** The code of a parameter that is missing or not what the document says it is; parameters with no code of their own cannot be billed (10). */
const PARAMETER_CODES: Readonly<Record<string, Code>> = {
  U: 'login',
  P: 'login',
  MX: CODE.InvalidMx,
  MCC: CODE.InvalidMcc,
  MNC: CODE.InvalidMnc,
  BPID: CODE.InvalidBpid,
  SID: CODE.InvalidSid,
  ProductID: CODE.InvalidSid,
  TXID: CODE.InvalidTxid,
  ReasonCode: CODE.InvalidReasonCode,
  PIN: CODE.WrongPin,
  EngagementTypeID: CODE.InvalidEngagementData,
  Data: CODE.InvalidEngagementData,
};

export function parameterFault(parameter: string, fallback: Code = CODE.BillNotSent): InfomediaFault {
  return { httpStatus: 200, code: PARAMETER_CODES[parameter] ?? fallback };
}

const SOAP_ONLY: ReadonlySet<BindingProblem['kind']> = new Set(['malformed_xml', 'not_an_envelope', 'not_one_operation', 'action_mismatch']);
const SOAP_FAULT_STATUS = 500;

/**
 * The one fault policy of every binding: a thrown Infomedia error passes; a bad or missing
 * parameter is its documented code (HTTP 200, Status Error); an envelope that cannot be
 * read is a SOAP Fault (HTTP 500, §14); a body that cannot be parsed keeps Fastify's 4xx;
 * an unknown method is 404; anything else is logged and answered 99 — never a stack trace.
 */
export const infomediaFaults: FaultPolicy<InfomediaFault> = (error, request, logUnexpected) => {
  if (error instanceof InfomediaError) return error.fault;
  if (error instanceof BindingError) return bindingFault(error.problem, methodOf(request));
  const { statusCode = 500 } = error as FastifyError;
  if (statusCode >= 400 && statusCode < 500) return { httpStatus: statusCode, code: null, detail: readableReason(error as FastifyError) };
  logUnexpected(error);
  return { httpStatus: 200, code: CODE.Internal };
};

/**
 * Methods with one code for every bad parameter, answered with what is wrong appended:
 * LogActivity's 39 (§4.9, §5), also when the request's form already refuses the value
 * (an over-long MX, a non-numeric ProductID, more than 64 data pairs). The credentials keep 01.
 */
const METHOD_PARAMETER_CODES: Readonly<Record<string, Code>> = { LogActivity: CODE.InvalidEngagementData };

/** The method a request names, however it came (SOAP or GET/POST/JSON); null before it is known. */
function methodOf(request: FastifyRequest): string | null {
  return request.soapCall?.operation.name ?? request.asmxCall?.method.operation.name ?? null;
}

/** 'LogActivity/Data/3/Key' → 'Data/3/Key': the path below the method's element, as the partner named it. */
function memberPath(path: string): string {
  return path.split('/').slice(1).join('/');
}

function bindingFault(problem: BindingProblem, method: string | null): InfomediaFault {
  if (problem.kind === 'invalid_input') {
    const parameter = inputMember(problem);
    // The request as a whole (a JSON array or string, too many parameters): no parameter is
    // named, so no documented code fits; it is answered as a body that cannot be read, never
    // as a bill (10) on a method that bills nothing.
    if (parameter === '') return { httpStatus: 400, code: null, detail: 'Invalid request: the body is not one set of parameters' };
    const methodCode = method === null ? undefined : METHOD_PARAMETER_CODES[method];
    if (methodCode !== undefined && PARAMETER_CODES[parameter] !== 'login') {
      return { httpStatus: 200, code: methodCode, detail: `: ${memberPath(problem.path) || parameter} ${problem.reason}` };
    }
    return parameterFault(parameter);
  }
  if (problem.kind === 'unknown_operation' || problem.kind === 'no_route') return { httpStatus: 404, code: null, detail: 'No such method' };
  if (SOAP_ONLY.has(problem.kind)) return { httpStatus: SOAP_FAULT_STATUS, code: null, detail: soapProblemText(problem) };
  return { httpStatus: 400, code: null, detail: 'Invalid request' };
}

function soapProblemText(problem: BindingProblem): string {
  switch (problem.kind) {
    case 'malformed_xml':
      return 'Server was unable to read request: the body is not well-formed XML';
    case 'not_an_envelope':
      return 'Server was unable to read request: not a SOAP 1.1 envelope with a Body';
    case 'not_one_operation':
      return 'Server was unable to read request: the Body must hold exactly one method';
    case 'action_mismatch':
      return `Server did not recognize the value of HTTP Header SOAPAction: ${problem.action.slice(0, 200)}`;
    default:
      return 'Server was unable to read request';
  }
}

function readableReason(error: FastifyError): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'Request body is too large';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'Unsupported content type';
  return 'Invalid request: the body cannot be read';
}

/** A URL Fastify cannot decode: no method can be named in it. */
export function frameworkFault(error: { statusCode?: number }): InfomediaFault {
  if ((error.statusCode ?? 500) >= 500) return { httpStatus: 200, code: CODE.Internal };
  return { httpStatus: 400, code: null, detail: 'Invalid request: the URL is not validly percent-encoded' };
}

/**
 * A fault over GET, POST form or JSON: the method's own root and __type, Status Error and
 * the description, its other members null (empty elements in XML, null in JSON) except
 * nested ones (Conf appears only where a bill was attempted).
 */
export function faultAnswer(fault: InfomediaFault, operation: AnyOperation<unknown> | null): AsmxAnswer {
  const output = (operation?.output ?? null) as TObject | null;
  const root = output ? (contractName(output) ?? operation?.name ?? 'Error') : 'Error';
  const jsonType = output ? ((output as WireAnnotations).jsonType ?? root) : root;
  const text = description(fault, operation?.name ?? null);
  if (output && !('Status' in output.properties) && 'ErrorMessage' in output.properties) {
    return { status: fault.httpStatus, root, jsonType, members: errorMessageMembers(output, text) };
  }
  const members: Record<string, unknown> = { Status: 'Error', Description: text };
  for (const [name, schema] of Object.entries(output?.properties ?? {})) {
    if (name in members || (schema as { type?: string }).type === 'object') continue;
    members[name] = null;
  }
  return { status: fault.httpStatus, root, jsonType, members };
}

/** An answer without Status (RequestToken's): the reason in ErrorMessage, its other text empty and a dateTime unset. */
function errorMessageMembers(output: TObject, text: string): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(output.properties)) {
    members[name] = name === 'ErrorMessage' ? text : (schema as WireAnnotations).xsd === 'dateTime' ? UNSET_DATE_TIME : '';
  }
  return members;
}

/** soap:Fault's children as ASP.NET writes them. */
export function soapFaultContent(fault: InfomediaFault): Record<string, unknown> {
  return { faultcode: fault.httpStatus >= 500 && fault.code !== null ? 'soap:Server' : 'soap:Client', faultstring: description(fault, null), detail: '' };
}
