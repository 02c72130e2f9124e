import type { FastifyError } from 'fastify';
import type { MessagingError } from '../../core/messaging/service.js';
import { BindingError, type BindingProblem, type FaultPolicy, inputMember } from '../kit/errors.js';
import { sendResult } from './wire.js';

/**
 * Hermes' failure statuses (infomedia-reference §7, texts verbatim from the vendor
 * document), then OpenDCB's for causes the document has no status for (§14): each a
 * status of its own, in the same form, so a client that tests Status == "Success" reads
 * every one as a failure.
 */
export const STATUS = {
  NoAccount: ['91', 'There is no account specified for the username and password'],
  InvalidHash: ['92', 'The MD5 hash supplied was invalid'],
  DuplicateFeed: ['93', 'Duplicate feed'],
  InvalidSchedule: ['94', 'The ScheduleFor DateTime is invalid'],
  InvalidRecipients: ['95', 'The MSISDNList is invalid'],
  InvalidMessage: ['96', 'The SMSMessage is invalid'],
  InvalidUserMsgId: ['97', 'The UserMsgID is invalid'],
  InvalidCampaign: ['98', 'The CampaignID is not a campaign of this account'],
  InvalidRequest: ['90', 'The request is invalid'],
  Internal: ['99', 'Internal error'],
} as const satisfies Record<string, readonly [string, string]>;

export type Status = (typeof STATUS)[keyof typeof STATUS];

/** A Hermes failure: a SendResult with its status (HTTP 200), or a request no method can read (a SOAP Fault). */
export type HermesFault =
  | { readonly kind: 'status'; readonly status: Status; readonly detail?: string }
  | { readonly kind: 'soap'; readonly httpStatus: number; readonly text: string };

export class HermesError extends Error {
  constructor(readonly fault: HermesFault) {
    super(fault.kind === 'status' ? fault.status[0] : fault.text);
  }
}

export const fail = (status: Status, detail?: string): HermesError =>
  new HermesError(detail === undefined ? { kind: 'status', status } : { kind: 'status', status, detail });

/** The core's refusals of a submission, each by its cause (exhaustive: a new kind fails the build until it has a status). */
const MESSAGING_FAULTS: { [K in MessagingError['kind']]: (error: Extract<MessagingError, { kind: K }>) => HermesError } = {
  no_recipients: () => fail(STATUS.InvalidRecipients, ': no recipient'),
  too_many_recipients: (e) => fail(STATUS.InvalidRecipients, `: more than ${e.max} recipients`),
  text_empty: () => fail(STATUS.InvalidMessage, ': it is empty'),
  text_too_long: (e) => fail(STATUS.InvalidMessage, `: longer than ${e.maxSegments} parts`),
  // The sender is the account's setting, checked when it was set: the platform's fault, not the partner's.
  sender_invalid: () => fail(STATUS.Internal),
  submission_key_invalid: (e) => fail(STATUS.InvalidUserMsgId, `: it must be 1 to ${e.maxChars} characters`),
  schedule_too_far: () => fail(STATUS.InvalidSchedule),
  duplicate_submission: () => fail(STATUS.DuplicateFeed),
};

export function messagingFault(error: MessagingError): HermesError {
  return (MESSAGING_FAULTS[error.kind] as (error: MessagingError) => HermesError)(error);
}

/** The status of a member that is missing or not what the schema allows (a bound exceeded). */
const MEMBER_STATUS: Readonly<Record<string, Status>> = {
  Username: STATUS.NoAccount,
  MD5Hash: STATUS.InvalidHash,
  SMSMessage: STATUS.InvalidMessage,
  MSISDNList: STATUS.InvalidRecipients,
  UserMsgID: STATUS.InvalidUserMsgId,
  ScheduleFor: STATUS.InvalidSchedule,
  CampaignID: STATUS.InvalidCampaign,
};

const SOAP_FAULT_STATUS = 500;

/**
 * The one fault policy: a thrown Hermes error passes; a member the schema refuses is its
 * status; an envelope that cannot be read, or names no Hermes method, is a SOAP Fault
 * (HTTP 500, as ASP.NET answers it); a body Fastify refuses keeps its 4xx; anything else is
 * logged and answered 99, never a stack trace.
 */
export const hermesFaults: FaultPolicy<HermesFault> = (error, _request, logUnexpected) => {
  if (error instanceof HermesError) return error.fault;
  if (error instanceof BindingError) return bindingFault(error.problem);
  const { statusCode = 500, code } = error as FastifyError;
  if (statusCode >= 400 && statusCode < 500) {
    return { kind: 'soap', httpStatus: statusCode, text: code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'Request body is too large' : 'Server was unable to read request' };
  }
  logUnexpected(error);
  return { kind: 'status', status: STATUS.Internal };
};

function bindingFault(problem: BindingProblem): HermesFault {
  switch (problem.kind) {
    case 'invalid_input': {
      const member = inputMember(problem);
      const status = MEMBER_STATUS[member] ?? STATUS.InvalidRequest;
      return { kind: 'status', status, detail: member === '' ? '' : `: ${member} ${problem.reason}`.slice(0, 300) };
    }
    case 'malformed_xml':
      return soap('Server was unable to read request: the body is not well-formed XML');
    case 'not_an_envelope':
      return soap('Server was unable to read request: not a SOAP 1.1 envelope with a Body');
    case 'not_one_operation':
      return soap('Server was unable to read request: the Body must hold exactly one method');
    case 'unknown_operation':
      return soap(`Server did not recognize the method ${problem.name.slice(0, 64)}`);
    case 'action_mismatch':
      return soap(`Server did not recognize the value of HTTP Header SOAPAction: ${problem.action.slice(0, 200)}`);
    case 'no_route':
      return { kind: 'soap', httpStatus: 404, text: 'No such path' };
  }
}

const soap = (text: string): HermesFault => ({ kind: 'soap', httpStatus: SOAP_FAULT_STATUS, text });

/** The document's own statuses: their UserFriendlyMessage is the document's text alone (§14); OpenDCB's add what was wrong. */
const DOCUMENTED: ReadonlySet<string> = new Set([STATUS.NoAccount, STATUS.InvalidHash, STATUS.DuplicateFeed, STATUS.InvalidSchedule].map(([code]) => code));

/** A status fault as the method's result; a SOAP fault has none. */
export function faultResult(fault: HermesFault): Record<string, unknown> | null {
  if (fault.kind !== 'status') return null;
  const [code, text] = fault.status;
  return sendResult(code, DOCUMENTED.has(code) ? text : `${text}${fault.detail ?? ''}`);
}

/** soap:Fault's children as ASP.NET writes them. */
export function soapFaultContent(fault: HermesFault): Record<string, unknown> {
  if (fault.kind === 'status') return { faultcode: 'soap:Server', faultstring: `${fault.status[0]} - ${fault.status[1]}`, detail: '' };
  // Every SOAP fault here is a request that could not be read: the client's.
  return { faultcode: 'soap:Client', faultstring: fault.text, detail: '' };
}

/** A URL Fastify cannot decode. */
export function frameworkFault(error: { statusCode?: number }): HermesFault {
  if ((error.statusCode ?? 500) >= 500) return { kind: 'status', status: STATUS.Internal };
  return { kind: 'soap', httpStatus: 400, text: 'Invalid request: the URL is not validly percent-encoded' };
}
