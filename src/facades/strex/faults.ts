import type { ChargeError, PreAuthorizeError, ReverseError, SubscriberRefusal } from '../../core/payments/errors.js';
import type { VerificationError } from '../../core/verification/service.js';

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

/** How a facade answers each kind of one core error union: exhaustive, so a new kind fails the build here. */
type Wording<E extends { readonly kind: string }> = { readonly [K in E['kind']]: (error: Extract<E, { kind: K }>) => StrexFault };

const fault = (kind: FaultKind, description: string) => new StrexFault(kind, description);

function word<E extends { readonly kind: string }>(wording: Wording<E>, error: E): StrexFault {
  return (wording[error.kind as E['kind']] as (error: E) => StrexFault)(error);
}

const SUBSCRIBER: Wording<SubscriberRefusal> = {
  unknown_subscriber: () => fault(FAULT.UserMnoError, 'Unknown subscriber at the operator'),
  barred: () => fault(FAULT.Barred, 'Billing is barred for the msisdn'),
  unregistered: () => fault(FAULT.UserMnoError, 'The subscriber is not registered for payments'),
  not_licensed: () => fault(FAULT.UserMnoError, 'The subscriber is not valid for licensed purchase'),
  unsupported_network: (e) => fault(FAULT.UserMnoError, `The operator ${e.operatorName} does not bill in ${e.currency}`),
  underage: (e) => fault(FAULT.UserMnoError, `The subscriber is below the required age ${e.minimumAge}`),
  limit_per_charge_exceeded: (e) =>
    fault(FAULT.Financial, `Price ${e.amountMinor} exceeds the subscriber's limit of ${e.limitMinor} per transaction`),
};

const CHARGE: Wording<ChargeError> = {
  ...SUBSCRIBER,
  price_rule_unknown: (e) => fault(FAULT.Validation, `Unknown ${e.rule.label}`),
  price_below_minimum: (e) => fault(FAULT.Validation, `Price ${e.amountMinor} is below the minimum ${e.minMinor} for ${e.rule.label}`),
  price_above_maximum: (e) => fault(FAULT.Validation, `Price ${e.amountMinor} is above the maximum ${e.maxMinor} for ${e.rule.label}`),
  limit_monthly_exceeded: () => fault(FAULT.Financial, "The subscriber's monthly spending limit would be exceeded"),
  limit_yearly_exceeded: () => fault(FAULT.Financial, "The subscriber's yearly spending limit would be exceeded"),
  reference_conflict: (e) => fault(FAULT.Validation, `ClientReference ${e.idempotencyKey} was already used with different payment details`),
  // Prompts are SecurityLevel 2; a deployment without them has answered as it does for level 3.
  consent_unsupported: () => fault(FAULT.Validation, 'SecurityLevel 3 (Pin) is not supported'),
  blacklisted: () => fault(FAULT.Forbidden, 'The msisdn is blacklisted'),
  not_verified: () => fault(FAULT.Forbidden, 'The msisdn must be verified for this service before it can be charged'),
  token_invalid: () => fault(FAULT.Forbidden, 'The authorization token is not valid for this msisdn and service'),
  // Strex approves no charge by a one-time PIN (SecurityLevel 3 is refused above); worded should a flow ever send one.
  pin_wrong: () => fault(FAULT.Forbidden, 'The one-time PIN is not the one sent'),
  pin_used: () => fault(FAULT.Forbidden, 'The one-time PIN has been used'),
  pin_expired: () => fault(FAULT.Expired, 'The one-time PIN has expired'),
  pin_salted: () => fault(FAULT.Internal, 'Internal server error'),
  insufficient_funds: () => fault(FAULT.Financial, 'Insufficient funds on the prepaid subscription'),
  operator_error: () => fault(FAULT.MnoError, 'The operator reported a technical error'),
  settled_meanwhile: (e) => fault(FAULT.MnoError, `The payment was settled as ${e.status} meanwhile`),
  debit_returned: () => fault(FAULT.MnoError, 'The operator answered after the payment had failed; the debit is being returned'),
  declined: () => fault(FAULT.Forbidden, 'The subscriber declined the payment'),
  expired: () => fault(FAULT.Expired, 'The subscriber did not confirm the payment in time'),
  operator_timeout: () => fault(FAULT.ThirdPartySystem, 'The operator did not answer in time; the payment is in progress'),
  confirmation_abandoned: () =>
    fault(FAULT.ThirdPartySystem, 'The server restarted while the subscriber was being asked; the payment is in progress'),
};

const REVERSE: Wording<ReverseError> = {
  not_found: (e) => fault(FAULT.NotFound, `Transaction ${e.paymentId} was not found`),
  not_paid: (e) => fault(FAULT.Validation, `Transaction ${e.paymentId} is ${e.status} and cannot be reversed`),
};

const PREAUTHORIZE: Wording<PreAuthorizeError> = {
  ...SUBSCRIBER,
  consent_declined: () => fault(FAULT.Forbidden, 'The subscriber declined the pre-authorisation'),
  consent_expired: () => fault(FAULT.Expired, 'The subscriber did not answer the pre-authorisation in time'),
};

const VERIFICATION: Wording<VerificationError> = {
  template_without_placeholder: (e) => fault(FAULT.Validation, `The template must contain ${e.placeholder}`),
  template_too_long: (e) => fault(FAULT.Validation, `The template is longer than ${e.maxSmsParts} SMS`),
  expiry_in_past: () => fault(FAULT.Validation, 'ExpiryTime is in the past'),
  rate_limited: () => fault(FAULT.Forbidden, 'Too many verification codes sent to this msisdn; try again later'),
  code_invalid: () => fault(FAULT.NotFound, 'Invalid verification code'),
  code_expired: () => fault(FAULT.Expired, 'The verification code has expired'),
};

export const chargeFault = (error: ChargeError): StrexFault => word(CHARGE, error);
export const reverseFault = (error: ReverseError): StrexFault => word(REVERSE, error);
export const preAuthorizeFault = (error: PreAuthorizeError): StrexFault => word(PREAUTHORIZE, error);
export const verificationFault = (error: VerificationError): StrexFault => word(VERIFICATION, error);

/**
 * An error Fastify raised before routing (a URL it cannot decode): a validation fault
 * that, unlike Fastify's own message, does not echo the URL.
 */
export function frameworkFault(error: { code: string; statusCode?: number }): StrexFault {
  if ((error.statusCode ?? 500) >= 500) return new StrexFault(FAULT.Internal, 'Internal server error');
  const what = error.code === 'FST_ERR_BAD_URL' ? 'the URL is not validly percent-encoded' : 'the URL is not valid';
  return new StrexFault(FAULT.Validation, `Invalid request: ${what}`);
}
