import { Type } from 'typebox';
import { MESSAGING_LIMITS } from '../../core/messaging/service.js';
import { contract, declared } from '../kit/operation.js';

/** Hermes' service namespace: its SOAP elements and SOAPActions (infomedia-reference §7, §12). */
export const SERVICE_NS = 'http://tempuri.org/';
/** The web service's class name (the C# sample's HermesSoapClient: the WSDL's Hermes, HermesSoap). */
export const SERVICE_NAME = 'Hermes';
/** 10,000 recipients of about 120 bytes each, a message and the rest, with room. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_USER_TAG_CHARS = 200;
const MAX_PART_CHARS = 200;

/**
 * Request members are all xs:string minOccurs 0 in Hermes' schema (§12), read leniently
 * here too: a missing or bad one is answered by its own status (91–94, or OpenDCB's),
 * never by a generic refusal.
 */
const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

/** Username and MD5Hash open every request element; the auth hook reads them first. */
export const Credentials = Type.Object({ Username: text(MAX_PART_CHARS), MD5Hash: text(MAX_PART_CHARS) });

export const MsisdnDetails = contract('MSISDNDetails', Type.Object({ MSISDN: text(32), MCC: text(8), MNC: text(8) }));

/** SendMessage's members; SendMessageWithCampaign adds CampaignID. */
export const SendMessageMembers = {
  ...Credentials.properties,
  SMSMessage: text(MESSAGING_LIMITS.maxTextChars),
  MSISDNList: Type.Optional(Type.Array(MsisdnDetails, { maxItems: MESSAGING_LIMITS.maxRecipients })),
  UserMsgID: text(MESSAGING_LIMITS.maxSubmissionKeyChars),
  UserTag: text(MAX_USER_TAG_CHARS),
  ScheduleFor: text(32),
};

/** SystemMessage and StackTrace are xs:anyType (§12), written empty as the sample shows them. */
const anyType = () => declared({ xsd: 'anyType' }, Type.String());

export const ErrorDetails = contract('ErrorDetails', Type.Object({ UserFriendlyMessage: Type.String(), SystemMessage: anyType(), StackTrace: anyType() }));

/** Both methods answer a SendResult (§7, §12). */
export const SendResult = contract('SendResult', Type.Object({ Status: Type.String(), IsError: Type.Boolean(), DetailsOfError: ErrorDetails }));

export const SUCCESS = 'Success';

/** A SendResult: Success with an empty DetailsOfError, or a status with its message. */
export function sendResult(status: string, message: string) {
  return { Status: status, IsError: status !== SUCCESS, DetailsOfError: { UserFriendlyMessage: message, SystemMessage: '', StackTrace: '' } };
}
