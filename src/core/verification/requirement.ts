import type { Msisdn } from '../../kernel/msisdn.js';
import type { ServiceContext } from '../merchants/types.js';

/** Answers whether a service has verified an MSISDN (VerificationService). */
export interface VerifiedMsisdns {
  isVerified(service: ServiceContext, msisdn: Msisdn): Promise<boolean>;
}

/**
 * A service that requires verified MSISDNs may charge only numbers it verified with a
 * code. Without a way to ask, the requirement refuses: it never passes by default.
 */
export async function verificationViolation(
  verified: VerifiedMsisdns | undefined,
  service: ServiceContext,
  msisdn: Msisdn,
): Promise<{ readonly kind: 'not_verified' } | null> {
  if (!service.requiresVerifiedMsisdn) return null;
  if (verified !== undefined && (await verified.isVerified(service, msisdn))) return null;
  return { kind: 'not_verified' };
}
