import { type TObject, Type } from 'typebox';
import { contract, declared } from '../kit/operation.js';

/** The Mobile Payments API's service namespace: bare XML roots, SOAP elements and SOAPActions (infomedia-reference §2). */
export const SERVICE_NS = 'http://localhost/InAppbillingAPI/InAppBilling';
export const SERVICE_NAME = 'InAppBilling';
/** Larger than any request of the document (a RequestToken with its parameters is well under 4 KiB). */
export const MAX_BODY_BYTES = 16 * 1024;
/** The JSON __type prefix of every answer. */
export const JSON_TYPE_PREFIX = 'MobilePaymentsLibrary.';

/** U and P close every request element; read leniently (a missing one is a wrong login, 01), declared required. */
export const Credentials = Type.Object({
  U: declared({ declaredRequired: true }, Type.Optional(Type.String({ maxLength: 200 }))),
  P: declared({ declaredRequired: true }, Type.Optional(Type.String({ maxLength: 200 }))),
});

/**
 * Request members. Each is read as text (or an integer where the document types it so),
 * optional to the reader, so that a missing or bad one is answered by its own documented
 * code (00 Invalid MX, 07 Invalid MNC, …) rather than by a generic refusal; the WSDL
 * declares them as the document's samples do.
 */
const text = (maxLength: number, xsd = 'string') => declared({ declaredRequired: true, xsd }, Type.Optional(Type.String({ maxLength })));
export const MxParam = text(200);
export const MccParam = (xsd: 'string' | 'int') => text(8, xsd);
export const MncParam = (xsd: 'string' | 'int') => text(8, xsd);
export const IdParam = (xsd: 'int' | 'long') => text(20, xsd);

/**
 * A DataKeyValuePair (RequestToken's Parameters, LogActivity's Data). A JSON Value may be a
 * number (§14); both members are read leniently, so that the method judges each pair and
 * answers in its own words.
 */
export const DataKeyValuePair = contract(
  'DataKeyValuePair',
  Type.Object({
    Key: declared({ declaredRequired: true }, Type.Optional(Type.String({ maxLength: 200 }))),
    Value: declared({ declaredRequired: true, xsd: 'string' }, Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Number()]))),
  }),
);
export const DataKeyValuePairs = declared({ declaredRequired: true }, Type.Optional(Type.Array(DataKeyValuePair, { maxItems: 64 })));

/** What ASP.NET writes for a DateTime never set (RequestToken's ExpiresUtc without a token). */
export const UNSET_DATE_TIME = '0001-01-01T00:00:00';

/** The response members every answer starts with. */
export const StatusMembers = { Status: Type.String(), Description: Type.String() };

/** The members of an output, Status and Description first. */
export function outputMembers(output: TObject): string[] {
  return Object.keys(output.properties);
}
