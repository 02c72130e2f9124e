import type { ChargeError } from '../../core/payments/errors.js';
import { type Code, CODE } from './faults.js';
import { PIN_CODES } from './pin.js';

/** A Conf node's Status and Description (§5.1). */
export type ConfOutcome = readonly [status: 'Success' | 'Pending' | 'Whitelisted' | 'Error', description: string];

export const CONF = {
  Paid: ['Success', '00 - Payment has been made'],
  Pending: ['Pending', '13.5 - Pending, await Billing Receipt'],
  Whitelisted: ['Whitelisted', '00.1 - Whitelisted user, no charge has been made'],
  NotPaid: ['Error', '13 - Pending, the user has not paid'],
  InsufficientCredit: ['Error', '13.1 - The user has not paid - Insufficient Credit'],
  OperatorBar: ['Error', '13.2 - The user has not paid - Operator Bar'],
  UnknownSubscriber: ['Error', '13.3 - The user has not paid - Unknown Subscriber'],
  ExpenditureLimit: ['Error', '13.4 - The user has not paid - Expenditure limit reached'],
  Ported: ['Error', '22 - User has ported'],
} as const satisfies Record<string, ConfOutcome>;

/** What a refused charge answers: a Conf (a bill was attempted and not paid, or is pending), or a top-level code without one. */
export type BillOutcome = { readonly conf: ConfOutcome } | { readonly code: Code };

const conf = (outcome: ConfOutcome): BillOutcome => ({ conf: outcome });
const top = (code: Code): BillOutcome => ({ code });

/** Every core refusal of a charge, by its cause: exhaustive, so a new kind does not build until it is answered here. */
const OUTCOMES: { readonly [K in ChargeError['kind']]: BillOutcome } = {
  unknown_subscriber: conf(CONF.UnknownSubscriber),
  unregistered: conf(CONF.UnknownSubscriber),
  not_licensed: conf(CONF.NotPaid),
  barred: conf(CONF.OperatorBar),
  underage: conf(CONF.NotPaid),
  not_verified: conf(CONF.NotPaid),
  insufficient_funds: conf(CONF.InsufficientCredit),
  limit_per_charge_exceeded: conf(CONF.ExpenditureLimit),
  limit_monthly_exceeded: conf(CONF.ExpenditureLimit),
  limit_yearly_exceeded: conf(CONF.ExpenditureLimit),
  // The operator had the debit and gave it back, or the subscriber answered no: a bill was attempted and not paid.
  debit_returned: conf(CONF.NotPaid),
  settled_meanwhile: conf(CONF.NotPaid),
  declined: conf(CONF.NotPaid),
  expired: conf(CONF.NotPaid),
  // No answer yet: settlement finishes the payment, reported later (the payment.settled event).
  operator_timeout: conf(CONF.Pending),
  confirmation_abandoned: conf(CONF.Pending),
  blacklisted: top(CODE.Blacklisted),
  // The PIN, judged as the charge was reserved: nothing was reserved.
  pin_wrong: top(PIN_CODES.wrong_pin),
  pin_used: top(PIN_CODES.used),
  pin_expired: top(PIN_CODES.expired),
  // Nothing reached the subscriber's bill: the partner may send it again with a new PIN.
  operator_error: top(CODE.BillNotSent),
  unsupported_network: top(CODE.BillNotSent),
  price_rule_unknown: top(CODE.BillNotSent),
  price_below_minimum: top(CODE.BillNotSent),
  price_above_maximum: top(CODE.BillNotSent),
  // A fresh transaction id per PIN, no prompt and no token: these cannot arise; if they do, it is ours.
  reference_conflict: top(CODE.Internal),
  consent_unsupported: top(CODE.Internal),
  token_invalid: top(CODE.Internal),
  // SendBillWithPin judges a PIN of the salted scheme through ChargePinService before it gets here.
  pin_salted: top(CODE.Internal),
};

export function billOutcome(error: ChargeError): BillOutcome {
  return OUTCOMES[error.kind];
}
