import { err, ok, type Result } from '../../kernel/result.js';
import type { CarrierNetwork, DebitRequest, SubscriberProfile } from '../carrier/ports.js';
import type { ServiceContext } from '../merchants/types.js';
import { debitReference, debitRefusalError, operatorAnswerStep } from './decisions.js';
import type { ChargeError } from './errors.js';
import { askOperator, type SettleDeps, type SettledAttempt, settleAttempt, settleDebited } from './operator.js';
import type { ChargeCommand, ChargeReceipt } from './types.js';

/** A reservation the request holds: its payment and attempt. */
export interface Reserved {
  readonly paymentId: number;
  readonly attempt: number;
}

export function receipt(command: ChargeCommand, paymentId: number, replayed: boolean): ChargeReceipt {
  return { paymentId, idempotencyKey: command.idempotencyKey, replayed };
}

/** The attempt a request reserved, as settlement needs it. */
export function attemptOf(service: ServiceContext, profile: SubscriberProfile, reserved: Reserved): SettledAttempt {
  return { ...reserved, merchantId: service.merchantId, operator: profile.operator.mccMnc, currency: service.currency };
}

/** Asks the operator to debit a reserved charge and settles the reservation with the answer. */
export async function debitReserved(
  deps: SettleDeps & { carrier: CarrierNetwork },
  service: ServiceContext,
  command: ChargeCommand,
  profile: SubscriberProfile,
  reserved: Reserved,
): Promise<Result<ChargeReceipt, ChargeError>> {
  const debit: DebitRequest = {
    reference: debitReference(reserved.paymentId, reserved.attempt),
    msisdn: command.subscriber,
    operator: profile.operator,
    amountMinor: command.amountMinor,
    currency: command.currency,
  };
  const outcome = await askOperator(deps.carrier, debit);
  const attempt = attemptOf(service, profile, reserved);
  switch (operatorAnswerStep(outcome)) {
    case 'leave':
      // Stays pending: settlement (a status query or the worker) asks the operator again.
      return err({ kind: 'operator_timeout', paymentId: reserved.paymentId });
    case 'fail':
      await settleAttempt(deps, attempt, 'failed');
      return err(outcome.kind === 'refused' ? debitRefusalError(outcome.reason) : { kind: 'operator_error' });
    case 'collect': {
      const settled = await settleDebited(deps, attempt, debit);
      if (settled === 'paid') return ok(receipt(command, reserved.paymentId, false));
      // Settlement decided "failed" while this debit was on its way; the same statement queued its give-back.
      return err({ kind: 'debit_returned' });
    }
  }
}
