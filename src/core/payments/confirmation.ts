import { assert } from '../../kernel/assert.js';
import { formatMinor } from '../../kernel/money.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { CarrierNetwork, SubscriberProfile } from '../carrier/ports.js';
import type { ConfirmationService } from '../confirmations/service.js';
import type { ServiceContext } from '../merchants/types.js';
import { attemptOf, debitReserved, type Reserved, receipt } from './debit.js';
import type { ChargeError } from './errors.js';
import { type SettleDeps, settleAttempt } from './operator.js';
import type { ChargeCommand, ChargeReceipt } from './types.js';

/** Longest description a prompt quotes: the handset shows a short line. */
const MAX_PROMPT_DESCRIPTION = 100;

export interface ConfirmationDeps extends SettleDeps {
  carrier: CarrierNetwork;
  confirmations: Pick<ConfirmationService, 'confirm'>;
}

/** Asks the subscriber to confirm a reserved charge; only a yes collects it, nothing else is charged. */
export async function confirmReserved(
  deps: ConfirmationDeps,
  service: ServiceContext,
  command: ChargeCommand,
  profile: SubscriberProfile,
  reserved: Reserved,
): Promise<Result<ChargeReceipt, ChargeError>> {
  const consent = command.consent;
  assert(consent.mode === 'prompt', 'only a prompted charge is confirmed');
  const outcome = await deps.confirmations.confirm({
    serviceId: service.serviceId,
    payment: { paymentId: reserved.paymentId, attempt: reserved.attempt },
    msisdn: command.subscriber,
    channel: consent.channel,
    shortNumber: consent.channel === 'sms' ? consent.sender : undefined,
    prompt: confirmationPrompt(command),
  });
  // This process is stopping; the prompt stays answerable and settlement collects a later yes.
  if (outcome === 'abandoned') return err({ kind: 'confirmation_abandoned', paymentId: reserved.paymentId });
  const attempt = attemptOf(service, profile, reserved);
  if (outcome !== 'confirmed') {
    const settled = await settleAttempt(deps, attempt, 'failed');
    // Only the subscriber's yes collects; should anything else ever have, say what is true.
    if (settled === 'paid') return ok(receipt(command, reserved.paymentId, false));
    return err({ kind: outcome === 'declined' ? 'declined' : 'expired' });
  }
  if (profile.billing === 'realtime') return debitReserved(deps, service, command, profile, reserved);
  const settled = await settleAttempt(deps, attempt, 'paid');
  if (settled !== 'paid') return err({ kind: 'settled_meanwhile', status: settled });
  return ok(receipt(command, reserved.paymentId, false));
}

/** What the handset shows: amount, currency and what it is for. */
function confirmationPrompt(command: ChargeCommand): string {
  const what = command.description === undefined ? '' : ` for ${command.description.slice(0, MAX_PROMPT_DESCRIPTION)}`;
  return `Confirm payment of ${formatMinor(command.amountMinor, command.currency)} ${command.currency}${what}?`;
}
