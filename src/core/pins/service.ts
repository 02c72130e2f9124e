import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { PinApproval } from '../payments/types.js';
import type { ChargePinRepository, StoredChargePin } from './ports.js';

export const PIN_DIGITS = 4;
export const PIN_LIFETIME_MS = 10 * 60_000;
export const MAX_PIN_ATTEMPTS = 5;
/** PINs one endpoint may send one subscriber in an hour: a partner cannot flood a handset. */
export const MAX_PINS_PER_HOUR = 10;
/** The PIN hash's scheme: HMAC-SHA256 of endpoint, MSISDN, product and PIN under the server key. */
const HASH_SCHEME = 'hmac2';
const PIN_KEY_BYTES = 32;

export type PinIssueError = { readonly kind: 'rate_limited' };

/** Why a PIN did not approve a charge: one kind per cause. */
export type PinRedeemError =
  /** No PIN was sent for this subscriber and product, or the PIN given is not it. */
  | { readonly kind: 'wrong_pin' }
  /** Already used for a charge, or burnt by too many wrong guesses. */
  | { readonly kind: 'used' }
  | { readonly kind: 'expired' };

export interface PinRequest {
  readonly endpointId: number;
  readonly msisdn: Msisdn;
  readonly productId: number;
}

export interface IssuedPin {
  readonly pinId: number;
  readonly pin: string;
}

/**
 * PINs that approve one charge of one product (decision 39): 4 random digits sent by SMS
 * through the outbox in the transaction that stores them, kept only as a keyed hash
 * (HMAC-SHA256 under a server key of the PIN and its context: 10,000 PINs are no secret to
 * an unkeyed hash, and a slow hash per bill would cost the payment path a core), valid for
 * 10 minutes, single use, burnt after 5 guesses. A guess is counted and judged in one
 * conditional update (decision 42), so concurrent guesses cannot exceed the limit and of
 * many concurrent requests with the right PIN exactly one is approved.
 */
export class ChargePinService {
  constructor(
    private readonly deps: {
      pins: ChargePinRepository;
      clock: Clock;
      /** The server key PINs are hashed under (32 bytes). */
      pinKey: Buffer;
    },
  ) {
    assert(deps.pinKey.length === PIN_KEY_BYTES, 'a PIN key is 32 bytes');
  }

  /** Issues a PIN and queues its SMS, whose text the caller writes around the PIN. */
  async issue(request: PinRequest, sms: { from: string; text: (pin: string) => string }): Promise<Result<IssuedPin, PinIssueError>> {
    const pin = randomInt(0, 10 ** PIN_DIGITS).toString().padStart(PIN_DIGITS, '0');
    const now = this.deps.clock.now();
    const pinId = await this.deps.pins.issue({
      ...request,
      pinHash: this.#hash(request, pin),
      now,
      expiresAt: new Date(now.getTime() + PIN_LIFETIME_MS),
      maxPerHour: MAX_PINS_PER_HOUR,
      sms: { to: request.msisdn, from: sms.from, text: sms.text(pin) },
    });
    if (pinId === 'rate_limited') return err({ kind: 'rate_limited' });
    return ok({ pinId, pin });
  }

  /**
   * A PIN given back for a charge, to be judged in the statement that reserves it (consent
   * by PIN, decision 49): the transaction id is the charge's idempotency key, written into
   * the PIN it uses. A charge refused pin_salted is judged with redeem instead.
   */
  approval(request: PinRequest, pin: string): { transactionId: string; approval: PinApproval } {
    return {
      transactionId: randomUUID(),
      approval: { endpointId: request.endpointId, productId: request.productId, pinHash: this.#hash(request, pin), maxAttempts: MAX_PIN_ATTEMPTS },
    };
  }

  /** Uses the newest PIN of the subscriber and product if `pin` is it: answers the transaction id of the charge it approves. */
  async redeem(request: PinRequest, pin: string): Promise<Result<{ pinId: number; transactionId: string }, PinRedeemError>> {
    const transactionId = randomUUID();
    const now = this.deps.clock.now();
    const outcome = await this.deps.pins.attempt({
      ...request,
      pinHash: this.#hash(request, pin),
      transactionId,
      now,
      maxAttempts: MAX_PIN_ATTEMPTS,
    });
    switch (outcome.kind) {
      case 'approved':
        return ok({ pinId: outcome.pinId, transactionId });
      case 'salted':
        return this.#redeemSalted(outcome.stored, pin, transactionId, now);
      default:
        return err({ kind: outcome.kind });
    }
  }

  /**
   * A PIN issued before PINs were hashed with their context (at most PIN_LIFETIME_MS after
   * an upgrade): its salt must be read before the guess is judged, so it takes three steps,
   * the guess counted before it is judged.
   */
  async #redeemSalted(
    stored: StoredChargePin,
    pin: string,
    transactionId: string,
    now: Date,
  ): Promise<Result<{ pinId: number; transactionId: string }, PinRedeemError>> {
    if (stored.used || stored.attempts >= MAX_PIN_ATTEMPTS) return err({ kind: 'used' });
    if (stored.expiresAt <= now) return err({ kind: 'expired' });
    if (!(await this.deps.pins.claimAttempt(stored.pinId, MAX_PIN_ATTEMPTS))) return err({ kind: 'used' });
    if (!this.#matchesSalted(pin, stored.pinHash)) return err({ kind: 'wrong_pin' });
    if (!(await this.deps.pins.use(stored.pinId, transactionId, now))) return err({ kind: 'used' });
    return ok({ pinId: stored.pinId, transactionId });
  }

  /** Whether a PIN of the endpoint approved a charge under this transaction id (its charge may not exist: nothing was billed). */
  isTransaction(endpointId: number, transactionId: string): Promise<boolean> {
    return this.deps.pins.hasTransaction(endpointId, transactionId);
  }

  /**
   * The PIN's keyed hash, bound to its endpoint, subscriber and product, so the store can
   * compare a guess in the statement that counts it (the salted scheme needed the salt read
   * first). Without the key, 10,000 PINs are still no secret to anyone holding the table.
   */
  #hash(request: PinRequest, pin: string): string {
    const context = `${request.endpointId}\u0000${request.msisdn}\u0000${request.productId}\u0000${pin}`;
    return `${HASH_SCHEME}$${createHmac('sha256', this.deps.pinKey).update(context).digest('base64')}`;
  }

  #matchesSalted(pin: string, stored: string): boolean {
    if (!/^[0-9]{1,12}$/.test(pin)) return false;
    const [scheme, salt, digest] = stored.split('$');
    if (scheme !== 'hmac' || salt === undefined || digest === undefined) return false;
    const saltBytes = Buffer.from(salt, 'base64');
    const expected = Buffer.from(`hmac$${salt}$${createHmac('sha256', this.deps.pinKey).update(saltBytes).update(pin).digest('base64')}`);
    const given = Buffer.from(stored);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
