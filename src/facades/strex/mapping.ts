import type { Static } from 'typebox';
import { isAllowedAge } from '../../core/limits/rules.js';
import type { ChargeCommand, PaymentStatus, SecurityLevel } from '../../core/payments/types.js';
import { parseMsisdn } from '../../kernel/msisdn.js';
import { FAULT, StrexFault } from './faults.js';
import type { PaymentDetails } from './wire.js';

const SECURITY_LEVELS: Record<number, SecurityLevel> = { 1: 'none', 2: 'confirmation', 3: 'pin' };

/** Strex PaymentDetails → core charge command; field errors become faults here. */
export function toChargeCommand(details: Static<typeof PaymentDetails>): ChargeCommand {
  const msisdn = parseMsisdn(details.Msisdn);
  if (!msisdn) throw new StrexFault(FAULT.InvalidMsisdn, 'Invalid msisdn');
  if (details.Age !== undefined && !isAllowedAge(details.Age)) throw new StrexFault(FAULT.Validation, 'Invalid age');
  if (!/^[0-9]{5}$/.test(details.ServiceCode)) {
    throw new StrexFault(FAULT.Validation, `Invalid service code ${details.ServiceCode}`);
  }
  return {
    msisdn,
    amountMinor: BigInt(details.Price),
    serviceCode: details.ServiceCode,
    clientReference: details.ClientReference,
    requiredAge: details.Age as 16 | 18 | undefined,
    businessModel: details.BusinessModel,
    securityLevel: SECURITY_LEVELS[details.SecurityLevel ?? 1] ?? 'none',
    confirmationChannel: details.ConfirmationChannel === 1 ? 'ussd' : details.ConfirmationChannel === 2 ? 'sms' : undefined,
    authorizationToken: details.AuthorizationToken,
    details: {
      endUserInvoiceText: details.EndUserInvoiceText,
      differentiator: details.Differentiator,
      invoiceNode: details.InvoiceNode,
      teletorgSettings: details.TeletorgSettings,
    },
  };
}

/** Strex PaymentStatus enum: 0 NotPaid, 1 Paid, 2 Reversed. */
export function toWireStatus(status: PaymentStatus): 0 | 1 | 2 {
  if (status === 'paid') return 1;
  if (status === 'reversed') return 2;
  return 0;
}
