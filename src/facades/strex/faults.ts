import type { ChargeError, ReverseError } from '../../core/payments/types.js';

/** Strex DirectPaymentFault codes (strex-reference.md §7) with their REST HTTP status. */
export const FAULT = {
  Unauthorized: { code: 1, status: 401 },
  Validation: { code: 2, status: 400 },
  NotFound: { code: 3, status: 404 },
  ThirdParty: { code: 4, status: 424 },
  Internal: { code: 5, status: 500 },
  Forbidden: { code: 6, status: 403 },
  Barred: { code: 7, status: 403 },
  Financial: { code: 8, status: 424 },
  ThirdPartySystem: { code: 9, status: 424 },
  Expired: { code: 10, status: 424 },
  MnoError: { code: 11, status: 424 },
  UserMnoError: { code: 12, status: 424 },
  InvalidMsisdn: { code: 13, status: 400 },
} as const;

type FaultKind = (typeof FAULT)[keyof typeof FAULT];

/** A DirectPaymentFault on its way to the wire. */
export class StrexFault extends Error {
  constructor(
    readonly fault: FaultKind,
    readonly description: string,
    /** Headers the REST answer carries with it (Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
  }
  get code(): number {
    return this.fault.code;
  }
  get httpStatus(): number {
    return this.fault.status;
  }
}

const chargeFaults: Record<ChargeError['kind'], FaultKind> = {
  invalid: FAULT.Validation,
  reference_conflict: FAULT.Validation,
  not_supported: FAULT.Validation,
  unknown_subscriber: FAULT.UserMnoError,
  not_eligible: FAULT.UserMnoError,
  underage: FAULT.UserMnoError,
  unsupported_network: FAULT.UserMnoError,
  barred: FAULT.Barred,
  blacklisted: FAULT.Forbidden,
  limit_exceeded: FAULT.Financial,
  insufficient_funds: FAULT.Financial,
  operator_error: FAULT.MnoError,
  outcome_unknown: FAULT.ThirdPartySystem,
  declined: FAULT.Forbidden,
  token_invalid: FAULT.Forbidden,
  not_verified: FAULT.Forbidden,
  expired: FAULT.Expired,
};

export function chargeFault(error: ChargeError): StrexFault {
  return new StrexFault(chargeFaults[error.kind], error.message);
}

export function reverseFault(error: ReverseError): StrexFault {
  return new StrexFault(error.kind === 'not_found' ? FAULT.NotFound : FAULT.Validation, error.message);
}

/**
 * An error Fastify raised before routing (a URL it cannot decode): a validation fault
 * that, unlike Fastify's own message, does not echo the URL.
 */
export function frameworkFault(error: { code: string; statusCode?: number }): StrexFault {
  if ((error.statusCode ?? 500) >= 500) return new StrexFault(FAULT.Internal, 'Internal server error');
  const what = error.code === 'FST_ERR_BAD_URL' ? 'the URL is not validly percent-encoded' : 'the URL is not valid';
  return new StrexFault(FAULT.Validation, `Invalid request: ${what}`);
}
