import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChargeError, PreAuthorizeError, ReverseError } from '../../src/core/payments/errors.js';
import type { VerificationError } from '../../src/core/verification/service.js';
import { chargeFault, preAuthorizeFault, reverseFault, type StrexFault, verificationFault } from '../../src/facades/strex/faults.js';

const wire = (fault: StrexFault) => [fault.code, fault.httpStatus, fault.description];

/** Every core error kind as Strex answers it: the codes, statuses and texts the facade gave before core errors lost their text. */
describe('Strex wording of core errors', () => {
  it('charge errors', () => {
    const rule = { label: 'service code 02001' };
    const cases: Array<[ChargeError, number, number, string]> = [
      [{ kind: 'price_rule_unknown', rule: { label: 'business model donation' } }, 2, 400, 'Unknown business model donation'],
      [{ kind: 'price_below_minimum', rule, amountMinor: 99n, minMinor: 100n }, 2, 400, 'Price 99 is below the minimum 100 for service code 02001'],
      [{ kind: 'price_above_maximum', rule, amountMinor: 20_001n, maxMinor: 20_000n }, 2, 400, 'Price 20001 is above the maximum 20000 for service code 02001'],
      [{ kind: 'reference_conflict', idempotencyKey: 'r-1' }, 2, 400, 'ClientReference r-1 was already used with different payment details'],
      [{ kind: 'consent_unsupported', mode: 'prompt' }, 2, 400, 'SecurityLevel 3 (Pin) is not supported'],
      [{ kind: 'unknown_subscriber' }, 12, 424, 'Unknown subscriber at the operator'],
      [{ kind: 'unregistered' }, 12, 424, 'The subscriber is not registered for payments'],
      [{ kind: 'not_licensed' }, 12, 424, 'The subscriber is not valid for licensed purchase'],
      [{ kind: 'underage', minimumAge: 18 }, 12, 424, 'The subscriber is below the required age 18'],
      [{ kind: 'unsupported_network', operatorName: 'Telia', currency: 'GBP' }, 12, 424, 'The operator Telia does not bill in GBP'],
      [{ kind: 'barred' }, 7, 403, 'Billing is barred for the msisdn'],
      [{ kind: 'blacklisted' }, 6, 403, 'The msisdn is blacklisted'],
      [{ kind: 'limit_per_charge_exceeded', amountMinor: 600n, limitMinor: 500n }, 8, 424, "Price 600 exceeds the subscriber's limit of 500 per transaction"],
      [{ kind: 'limit_monthly_exceeded' }, 8, 424, "The subscriber's monthly spending limit would be exceeded"],
      [{ kind: 'limit_yearly_exceeded' }, 8, 424, "The subscriber's yearly spending limit would be exceeded"],
      [{ kind: 'insufficient_funds' }, 8, 424, 'Insufficient funds on the prepaid subscription'],
      [{ kind: 'operator_error' }, 11, 424, 'The operator reported a technical error'],
      [{ kind: 'settled_meanwhile', status: 'failed' }, 11, 424, 'The payment was settled as failed meanwhile'],
      [{ kind: 'debit_returned' }, 11, 424, 'The operator answered after the payment had failed; the debit is being returned'],
      [{ kind: 'operator_timeout', paymentId: 7 }, 9, 424, 'The operator did not answer in time; the payment is in progress'],
      [{ kind: 'confirmation_abandoned', paymentId: 7 }, 9, 424, 'The server restarted while the subscriber was being asked; the payment is in progress'],
      [{ kind: 'declined' }, 6, 403, 'The subscriber declined the payment'],
      [{ kind: 'token_invalid' }, 6, 403, 'The authorization token is not valid for this msisdn and service'],
      [{ kind: 'not_verified' }, 6, 403, 'The msisdn must be verified for this service before it can be charged'],
      [{ kind: 'expired' }, 10, 424, 'The subscriber did not confirm the payment in time'],
    ];
    for (const [error, code, status, description] of cases) assert.deepEqual(wire(chargeFault(error)), [code, status, description], error.kind);
  });

  it('reversal, pre-authorisation and verification errors', () => {
    const reversals: Array<[ReverseError, number, number, string]> = [
      [{ kind: 'not_found', paymentId: 9 }, 3, 404, 'Transaction 9 was not found'],
      [{ kind: 'not_paid', paymentId: 9, status: 'pending' }, 2, 400, 'Transaction 9 is pending and cannot be reversed'],
    ];
    for (const [error, code, status, description] of reversals) assert.deepEqual(wire(reverseFault(error)), [code, status, description]);
    const preauthorizations: Array<[PreAuthorizeError, number, number, string]> = [
      [{ kind: 'consent_declined' }, 6, 403, 'The subscriber declined the pre-authorisation'],
      [{ kind: 'consent_expired' }, 10, 424, 'The subscriber did not answer the pre-authorisation in time'],
      [{ kind: 'barred' }, 7, 403, 'Billing is barred for the msisdn'],
    ];
    for (const [error, code, status, description] of preauthorizations) assert.deepEqual(wire(preAuthorizeFault(error)), [code, status, description]);
    const verifications: Array<[VerificationError, number, number, string]> = [
      [{ kind: 'template_without_placeholder', placeholder: '{0}' }, 2, 400, 'The template must contain {0}'],
      [{ kind: 'template_too_long', maxSmsParts: 3 }, 2, 400, 'The template is longer than 3 SMS'],
      [{ kind: 'expiry_in_past' }, 2, 400, 'ExpiryTime is in the past'],
      [{ kind: 'rate_limited' }, 6, 403, 'Too many verification codes sent to this msisdn; try again later'],
      [{ kind: 'code_invalid' }, 3, 404, 'Invalid verification code'],
      [{ kind: 'code_expired' }, 10, 424, 'The verification code has expired'],
    ];
    for (const [error, code, status, description] of verifications) assert.deepEqual(wire(verificationFault(error)), [code, status, description]);
  });
});
