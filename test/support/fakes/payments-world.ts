import type { ServiceContext } from '../../../src/core/merchants/types.js';
import { PaymentService } from '../../../src/core/payments/service.js';
import type { ChargeCommand } from '../../../src/core/payments/types.js';
import type { PinAttempt, PinAttemptOutcome } from '../../../src/core/pins/ports.js';
import type { Msisdn } from '../../../src/kernel/msisdn.js';
import { FakeCarrier } from './carrier.js';
import { FakeClock } from './clock.js';
import { ScriptedConfirmations } from './confirmations.js';
import { InMemoryPayments } from './payments.js';

export const SERVICE: ServiceContext = { serviceId: 10, merchantId: 3, platform: 'directpay', currency: 'NOK', requiresVerifiedMsisdn: false };

/** A payment service on in-memory ports, with every port at hand for the test to steer and inspect. */
export function paymentsWorld(options: { tokens?: Set<string>; verified?: Set<string>; prompts?: boolean; pins?: boolean } = {}) {
  const clock = new FakeClock();
  const carrier = new FakeCarrier();
  const payments = new InMemoryPayments();
  const confirmations = new ScriptedConfirmations();
  const outcomes: string[] = [];
  const tokens = options.tokens;
  const verified = options.verified;
  /** PINs judged on their own (a charge by PIN refused before its reservation): refused as payments.pinRefusals says, else approved. */
  const pinAttempts: PinAttempt[] = [];
  const pins = {
    async attempt(attempt: PinAttempt): Promise<PinAttemptOutcome> {
      pinAttempts.push(attempt);
      const refusal = payments.pinRefusals.get(attempt.pinHash);
      if (refusal === undefined) return { kind: 'approved', pinId: pinAttempts.length };
      if (refusal !== 'salted') return { kind: refusal };
      return { kind: 'salted', stored: { pinId: pinAttempts.length, pinHash: attempt.pinHash, expiresAt: attempt.now, attempts: 0, used: false } };
    },
  };
  const service = new PaymentService({
    carrier,
    payments,
    clock,
    confirmations: options.prompts === false ? undefined : confirmations,
    pins: options.pins === false ? undefined : pins,
    tokens: tokens && { isValid: async (_s, _m, token) => tokens.has(token) },
    verifiedMsisdns: verified && { isVerified: async (_s, msisdn) => verified.has(msisdn) },
    observe: (outcome) => outcomes.push(outcome),
  });
  return { clock, carrier, payments, confirmations, outcomes, service, pinAttempts };
}

let references = 0;

/** A plain charge of 25.00 NOK within a 1.00–500.00 price rule. */
export function chargeOf(msisdn: string, overrides: Partial<ChargeCommand> = {}): ChargeCommand {
  references += 1;
  return {
    idempotencyKey: `ref-${references}`,
    amountMinor: 2500n,
    currency: 'NOK',
    subscriber: msisdn as Msisdn,
    consent: { mode: 'none' },
    pricePolicy: { rules: [{ rule: { label: 'product P' }, range: { minMinor: 100n, maxMinor: 50_000n } }] },
    productCode: 'P',
    fingerprint: ['P'],
    details: {},
    ...overrides,
  };
}
