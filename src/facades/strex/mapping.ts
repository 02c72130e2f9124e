import type { Static } from 'typebox';
import type { ServiceContext } from '../../core/merchants/types.js';
import type { ChargeCommand, ChargeConsent, PaymentStatus } from '../../core/payments/types.js';
import { parseMsisdn } from '../../kernel/msisdn.js';
import { isAllowedAge, pricePolicy, PROMPT_SENDER } from './catalogue.js';
import { FAULT, StrexFault } from './faults.js';
import type { PaymentDetails } from './wire.js';

/** PaymentDetails.SecurityLevel 1 None, 2 Confirmation, 3 Pin; the words enter the retry fingerprint. */
const SECURITY_LEVELS: Record<number, 'none' | 'confirmation' | 'pin'> = { 1: 'none', 2: 'confirmation', 3: 'pin' };

/** Strex PaymentDetails → core charge command; field errors become faults here. */
export function toChargeCommand(service: ServiceContext, details: Static<typeof PaymentDetails>): ChargeCommand {
  const msisdn = parseMsisdn(details.Msisdn);
  if (!msisdn) throw new StrexFault(FAULT.InvalidMsisdn, 'Invalid msisdn');
  if (details.Age !== undefined && !isAllowedAge(details.Age)) throw new StrexFault(FAULT.Validation, 'Invalid age');
  if (!/^[0-9]{5}$/.test(details.ServiceCode)) {
    throw new StrexFault(FAULT.Validation, `Invalid service code ${details.ServiceCode}`);
  }
  const securityLevel = SECURITY_LEVELS[details.SecurityLevel ?? 1] ?? 'none';
  if (securityLevel === 'pin') throw new StrexFault(FAULT.Validation, 'SecurityLevel 3 (Pin) is not supported');
  return {
    idempotencyKey: details.ClientReference,
    amountMinor: BigInt(details.Price),
    currency: service.currency,
    subscriber: msisdn,
    consent: consentOf(securityLevel, details),
    pricePolicy: pricePolicy(details.ServiceCode, details.BusinessModel),
    productCode: details.ServiceCode,
    minimumAge: details.Age,
    description: details.EndUserInvoiceText,
    // §17: a retry is the same payment when these repeat (with Msisdn and Price).
    fingerprint: [details.ServiceCode, details.Age ?? null, details.BusinessModel ?? null, securityLevel, details.AuthorizationToken ?? null],
    details: {
      endUserInvoiceText: details.EndUserInvoiceText,
      differentiator: details.Differentiator,
      invoiceNode: details.InvoiceNode,
      teletorgSettings: details.TeletorgSettings,
      businessModel: details.BusinessModel,
      requiredAge: details.Age,
    },
  };
}

/** A PreAuthorize token stands for the consent at any level; SecurityLevel 2 without one asks the subscriber. */
function consentOf(securityLevel: 'none' | 'confirmation', details: Static<typeof PaymentDetails>): ChargeConsent {
  if (details.AuthorizationToken !== undefined) return { mode: 'token', token: details.AuthorizationToken };
  if (securityLevel === 'none') return { mode: 'none' };
  return { mode: 'prompt', channel: details.ConfirmationChannel === 1 ? 'ussd' : 'sms', sender: PROMPT_SENDER };
}

/** Strex PaymentStatus enum: 0 NotPaid, 1 Paid, 2 Reversed. */
export function toWireStatus(status: PaymentStatus): 0 | 1 | 2 {
  if (status === 'paid') return 1;
  if (status === 'reversed') return 2;
  return 0;
}
