import { createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { ChargePinRepository } from './ports.js';

export const PIN_DIGITS = 4;
export const PIN_LIFETIME_MS = 10 * 60_000;
export const MAX_PIN_ATTEMPTS = 5;
/** PINs one endpoint may send one subscriber in an hour: a partner cannot flood a handset. */
export const MAX_PINS_PER_HOUR = 10;
const SALT_BYTES = 16;
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
 * (HMAC-SHA256 under a server key with a random salt: 10,000 PINs are no secret to an
 * unkeyed hash, and a slow hash per bill would cost the payment path a core), valid for
 * 10 minutes, single use, burnt after 5 guesses. A guess is counted before it is judged,
 * so concurrent guesses cannot exceed the limit; using the PIN is one conditional update,
 * so of many concurrent requests with the right PIN exactly one is approved.
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
      pinHash: this.#hash(pin, randomBytes(SALT_BYTES)),
      now,
      expiresAt: new Date(now.getTime() + PIN_LIFETIME_MS),
      maxPerHour: MAX_PINS_PER_HOUR,
      sms: { to: request.msisdn, from: sms.from, text: sms.text(pin) },
    });
    if (pinId === 'rate_limited') return err({ kind: 'rate_limited' });
    return ok({ pinId, pin });
  }

  /** Uses the newest PIN of the subscriber and product if `pin` is it: answers the transaction id of the charge it approves. */
  async redeem(request: PinRequest, pin: string): Promise<Result<{ pinId: number; transactionId: string }, PinRedeemError>> {
    const stored = await this.deps.pins.latest(request.endpointId, request.msisdn, request.productId);
    if (!stored) return err({ kind: 'wrong_pin' });
    if (stored.used || stored.attempts >= MAX_PIN_ATTEMPTS) return err({ kind: 'used' });
    const now = this.deps.clock.now();
    if (stored.expiresAt <= now) return err({ kind: 'expired' });
    if (!(await this.deps.pins.claimAttempt(stored.pinId, MAX_PIN_ATTEMPTS))) return err({ kind: 'used' });
    if (!this.#matches(pin, stored.pinHash)) return err({ kind: 'wrong_pin' });
    const transactionId = randomUUID();
    if (!(await this.deps.pins.use(stored.pinId, transactionId, now))) return err({ kind: 'used' });
    return ok({ pinId: stored.pinId, transactionId });
  }

  /** Whether a PIN of the endpoint approved a charge under this transaction id (its charge may not exist: nothing was billed). */
  isTransaction(endpointId: number, transactionId: string): Promise<boolean> {
    return this.deps.pins.hasTransaction(endpointId, transactionId);
  }

  #hash(pin: string, salt: Buffer): string {
    return `hmac$${salt.toString('base64')}$${createHmac('sha256', this.deps.pinKey).update(salt).update(pin).digest('base64')}`;
  }

  #matches(pin: string, stored: string): boolean {
    if (!/^[0-9]{1,12}$/.test(pin)) return false;
    const [scheme, salt, digest] = stored.split('$');
    if (scheme !== 'hmac' || salt === undefined || digest === undefined) return false;
    const expected = Buffer.from(this.#hash(pin, Buffer.from(salt, 'base64')));
    const given = Buffer.from(stored);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
