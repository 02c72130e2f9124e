import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import { assertAmountMinor } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { CarrierNetwork, SubscriberProfile } from '../carrier/ports.js';
import type { ConfirmationService } from '../confirmations/service.js';
import type { ServiceContext } from '../merchants/types.js';
import type { VerifiedMsisdns } from '../verification/requirement.js';
import { confirmReserved } from './confirmation.js';
import { debitReserved, receipt } from './debit.js';
import type { ChargePinRepository } from '../pins/ports.js';
import { type AdmissionFacts, admissionRefusal, answersRetry, chargeRecord, needsPrompt, PIN_REFUSALS, preflightRefusal, reservationRefusal } from './decisions.js';
import type { ChargeError } from './errors.js';
import type { ChargeObserver, PaymentRepository } from './ports.js';
import type { ChargeCommand, ChargeReceipt } from './types.js';

export interface ChargingDeps {
  carrier: CarrierNetwork;
  /** Asks the subscriber to confirm (consent by prompt); without it such charges are refused. */
  confirmations?: Pick<ConfirmationService, 'confirm'> | undefined;
  /** Checks pre-authorisation tokens; without it a charge with a token is refused. */
  tokens?: { isValid(service: ServiceContext, msisdn: Msisdn, token: string): Promise<boolean> } | undefined;
  /** Answers for services that require verified MSISDNs; without it such services charge nobody. */
  verifiedMsisdns?: VerifiedMsisdns | undefined;
  /** Judges a PIN on its own, for a charge by PIN refused before its reservation; without it such charges are refused. */
  pins?: Pick<ChargePinRepository, 'attempt'> | undefined;
  payments: PaymentRepository;
  clock: Clock;
  observe?: ChargeObserver | undefined;
}

/**
 * Charges a subscriber. A charge is reserved first, in one statement that enforces
 * idempotency on the key, the platform blocklist and the period spend limits. A charge the
 * operator collects on the subscriber's invoice is complete with that statement. One it
 * must debit online is then sent to the operator (idempotent on payment id + attempt),
 * and a second statement settles it as paid or failed. No money moves without a record:
 * if the process dies in between, settlement asks the operator what became of the debit.
 */
export class ChargingService {
  constructor(private readonly deps: ChargingDeps) {}

  async charge(service: ServiceContext, command: ChargeCommand): Promise<Result<ChargeReceipt, ChargeError>> {
    const result = await this.#charge(service, command);
    this.deps.observe?.(result.ok ? (result.value.replayed ? 'replayed' : 'paid') : result.error.kind);
    return result;
  }

  async #charge(service: ServiceContext, command: ChargeCommand): Promise<Result<ChargeReceipt, ChargeError>> {
    assertAmountMinor(command.amountMinor);
    assert(command.currency === service.currency, 'a charge is in its service currency');
    const preflight = preflightRefusal(command, { prompt: this.deps.confirmations !== undefined, pin: this.deps.pins !== undefined });
    if (preflight) return err(preflight);
    const profile = await this.deps.carrier.subscriber(command.subscriber);
    const refusal = admissionRefusal(service, command, await this.#facts(service, command, profile));
    if (refusal) return this.#replayOr(service, command, await this.#pinFirst(command, refusal));

    const reserved = await this.deps.payments.reserveCharge(chargeRecord(service, command, profile, this.deps.clock.now()));
    const refused = reservationRefusal(command, reserved);
    if (refused) return err(refused);
    if (reserved.kind === 'duplicate') return ok(receipt(command, reserved.paymentId, true));
    assert(reserved.kind === 'reserved', 'a reservation is refused, a duplicate or reserved');
    if (reserved.status === 'paid') return ok(receipt(command, reserved.paymentId, false));
    if (needsPrompt(command)) {
      const confirmations = this.deps.confirmations;
      assert(confirmations !== undefined, 'prompted charges need a confirmation service');
      return confirmReserved({ ...this.deps, confirmations }, service, command, profile, reserved);
    }
    return debitReserved(this.deps, service, command, profile, reserved);
  }

  /** Asks the ports only what the command and the service make relevant. */
  async #facts(service: ServiceContext, command: ChargeCommand, profile: SubscriberProfile): Promise<AdmissionFacts> {
    const [verified, tokenValid] = await Promise.all([
      service.requiresVerifiedMsisdn ? (this.deps.verifiedMsisdns?.isVerified(service, command.subscriber) ?? false) : undefined,
      command.consent.mode === 'token' ? (this.deps.tokens?.isValid(service, command.subscriber, command.consent.token) ?? false) : undefined,
    ]);
    return { profile, verified, tokenValid };
  }

  /**
   * A charge by PIN that admission refuses never reaches the reservation, where its PIN is
   * judged: the PIN is judged on its own first, so a wrong PIN still answers as one, and a
   * right one is used by this attempt (its key written into it) as a reserved charge would use it.
   */
  async #pinFirst(command: ChargeCommand, refusal: ChargeError): Promise<ChargeError> {
    if (command.consent.mode !== 'pin') return refusal;
    const pins = this.deps.pins;
    assert(pins !== undefined, 'charges by PIN need the PIN store');
    const { endpointId, productId, pinHash, maxAttempts } = command.consent.pin;
    const judged = await pins.attempt({
      endpointId,
      productId,
      pinHash,
      maxAttempts,
      msisdn: command.subscriber,
      transactionId: command.idempotencyKey,
      now: this.deps.clock.now(),
    });
    if (judged.kind === 'approved') return refusal;
    return { kind: PIN_REFUSALS[judged.kind] };
  }

  /**
   * A refusal by present state must not hide what the same request already did: a retry
   * of a charge that went through answers with its first result (§17), even after a token
   * was revoked, a verification ran out or the operator barred the subscriber. Looked up
   * only on refusal, so the hot path stays one statement.
   */
  async #replayOr(service: ServiceContext, command: ChargeCommand, refusal: ChargeError): Promise<Result<ChargeReceipt, ChargeError>> {
    const earlier = await this.deps.payments.findByReference(service.serviceId, command.idempotencyKey, this.deps.clock.now());
    if (earlier && answersRetry(earlier, command)) return ok(receipt(command, earlier.paymentId, true));
    return err(refusal);
  }
}
