import type { FastifyRequest } from 'fastify';
import type { MerchantService } from '../../core/merchants/service.js';
import type { Platform, ServiceContext } from '../../core/merchants/types.js';
import { textFault } from '../shared/wire-input.js';
import { FAULT, StrexFault } from './faults.js';

const unauthorized = () => new StrexFault(FAULT.Unauthorized, 'Invalid service credentials');

/**
 * HTTP Basic credentials + the serviceId of the URL → the authenticated service, which
 * must be of the given platform (Direct Payment, or for PreAuthorize the one the path names).
 */
export async function authenticateRest(merchants: MerchantService, request: FastifyRequest, platform: Platform = 'directpay'): Promise<ServiceContext> {
  const serviceIdText = (request.params as { serviceId?: string }).serviceId ?? '';
  const header = request.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,512})\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized();
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw unauthorized();
  return authenticateService(merchants, serviceIdText, decoded.slice(0, colon), decoded.slice(colon + 1), platform);
}

/** Service credentials however they came (HTTP Basic, SOAP ServiceCredentials) → the service, or fault 1. */
export async function authenticateService(
  merchants: MerchantService,
  serviceIdText: string,
  username: string,
  password: string,
  platform: Platform,
): Promise<ServiceContext> {
  // Control characters are refused at the edge (code 2) as in any other text, before the database sees one.
  if ([serviceIdText, username, password].some((text) => textFault(text) !== null)) {
    throw new StrexFault(FAULT.Validation, 'Invalid request: the service credentials must not contain control characters');
  }
  if (!/^[0-9]{1,10}$/.test(serviceIdText)) throw unauthorized();
  const service = await merchants.authenticate(Number(serviceIdText), username, password);
  if (!service || service.platform !== platform) throw unauthorized();
  return service;
}

/** The service the onRequest hook authenticated; every handler's queries are scoped by it. */
export function authenticatedService(request: { strexService?: ServiceContext }): ServiceContext {
  if (!request.strexService) throw unauthorized();
  return request.strexService;
}

/** PreAuthorize's platform, written as an int or a name (0 / directpay, 1 / sms). */
export function platformOf(text: string | number | undefined): Platform | null {
  const value = String(text ?? '').toLowerCase();
  if (value === '0' || value === 'directpay') return 'directpay';
  if (value === '1' || value === 'sms') return 'sms';
  return null;
}
