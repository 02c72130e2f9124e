import type { FastifyRequest } from 'fastify';
import type { AuthenticationFailure, PasswordAuthenticator } from '../../core/merchants/authentication.js';
import type { Platform, ServiceContext } from '../../core/merchants/types.js';
import { sourceKey } from '../../kernel/source-address.js';
import { textFault } from '../shared/wire-input.js';
import { FAULT, StrexFault } from './faults.js';

/** What a 401 of the REST interface asks for: clients that send credentials only after a challenge do. */
export const BASIC_CHALLENGE = 'Basic realm="Strex Direct Payment", charset="UTF-8"';

const FAILURE_TEXT: Record<AuthenticationFailure['kind'], string> = {
  invalid: 'Invalid service credentials',
  throttled: 'Too many failed logins; try again later',
  busy: 'Too many logins are being checked; try again shortly',
};

function unauthorized(failure: AuthenticationFailure = { kind: 'invalid' }): StrexFault {
  const retryAfterS = failure.kind === 'throttled' ? Math.max(1, Math.ceil(failure.retryAfterMs / 1000)) : failure.kind === 'busy' ? 1 : null;
  return new StrexFault(FAULT.Unauthorized, FAILURE_TEXT[failure.kind], retryAfterS === null ? {} : { 'retry-after': String(retryAfterS) });
}

/**
 * HTTP Basic credentials + the serviceId of the URL → the authenticated service, which
 * must be of the given platform (Direct Payment, or for PreAuthorize the one the path names).
 */
export async function authenticateRest(
  authenticator: PasswordAuthenticator,
  request: FastifyRequest,
  platform: Platform = 'directpay',
): Promise<ServiceContext> {
  const serviceIdText = (request.params as { serviceId?: string }).serviceId ?? '';
  const header = request.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,512})\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized();
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw unauthorized();
  const credentials = { serviceIdText, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  return authenticateService(authenticator, credentials, platform, request.ip);
}

/** Service credentials however they came (HTTP Basic, SOAP ServiceCredentials) → the service, or fault 1. */
export async function authenticateService(
  authenticator: PasswordAuthenticator,
  credentials: { serviceIdText: string; username: string; password: string },
  platform: Platform,
  clientAddress: string | undefined,
): Promise<ServiceContext> {
  const { serviceIdText, username, password } = credentials;
  // Control characters are refused at the edge (code 2) as in any other text, before the database sees one.
  if ([serviceIdText, username, password].some((text) => textFault(text) !== null)) {
    throw new StrexFault(FAULT.Validation, 'Invalid request: the service credentials must not contain control characters');
  }
  if (!/^[0-9]{1,10}$/.test(serviceIdText)) throw unauthorized();
  const result = await authenticator.authenticate({ serviceId: Number(serviceIdText), username, password, source: sourceKey(clientAddress) });
  if (!result.ok) throw unauthorized(result.error);
  if (result.value.platform !== platform) throw unauthorized();
  return result.value;
}

/** PreAuthorize's platform, written as an int or a name (0 / directpay, 1 / sms). */
export function platformOf(text: string | number | undefined): Platform | null {
  const value = String(text ?? '').toLowerCase();
  if (value === '0' || value === 'directpay') return 'directpay';
  if (value === '1' || value === 'sms') return 'sms';
  return null;
}
