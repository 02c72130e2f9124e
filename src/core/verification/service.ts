import { randomInt } from 'node:crypto';
import type { Clock } from '../../kernel/clock.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { hashSecret, verifySecret } from '../../kernel/secrets.js';
import { segmentCount } from '../messaging/encoding.js';
import type { SmsGateway } from '../messaging/ports.js';
import type { ServiceContext } from '../merchants/types.js';
import type { SmsSendPayload } from '../outbox/catalogue.js';
import type { OutboxDispatcher } from '../outbox/service.js';
import type { VerificationRepository } from './ports.js';

export const DEFAULT_TEMPLATE = 'Your verification code is {0}';
const PLACEHOLDER = '{0}';
const CODE_DIGITS = 6;
const CODE_LIFETIME_MS = 10 * 60_000;
const MAX_ATTEMPTS = 5;
const MAX_SENDS_PER_HOUR = 5;
const MAX_SMS_PARTS = 3;
const SMS_TOPIC = 'sms.send';

/** Why a code was not sent or not accepted: one kind per cause; the facade words it. */
export type VerificationError =
  | { readonly kind: 'template_without_placeholder'; readonly placeholder: string }
  | { readonly kind: 'template_too_long'; readonly maxSmsParts: number }
  | { readonly kind: 'expiry_in_past' }
  | { readonly kind: 'rate_limited' }
  /** Wrong, used, burnt by too many guesses, or never sent: the caller learns no more. */
  | { readonly kind: 'code_invalid' }
  | { readonly kind: 'code_expired' };

export interface SendCode {
  readonly msisdn: Msisdn;
  /** When the verification (not the code) stops counting; none: never. */
  readonly verificationExpiresAt?: Date | undefined;
  readonly template?: string | undefined;
  /** Who the SMS comes from, as the facade's vendor sends it. */
  readonly sender: string;
}

/**
 * Verification codes: a random PIN sent by SMS (through the outbox), stored only
 * as a hash, valid for 10 minutes, single-use, burnt after 5 guesses; at most 5 sends
 * per MSISDN and service an hour.
 */
export class VerificationService {
  constructor(private readonly deps: { codes: VerificationRepository; clock: Clock }) {}

  async send(service: ServiceContext, request: SendCode): Promise<Result<void, VerificationError>> {
    const template = request.template ?? DEFAULT_TEMPLATE;
    if (!template.includes(PLACEHOLDER)) return err({ kind: 'template_without_placeholder', placeholder: PLACEHOLDER });
    const code = randomInt(0, 10 ** CODE_DIGITS).toString().padStart(CODE_DIGITS, '0');
    const text = template.replaceAll(PLACEHOLDER, code);
    if (segmentCount(text) > MAX_SMS_PARTS) return err({ kind: 'template_too_long', maxSmsParts: MAX_SMS_PARTS });
    const now = this.deps.clock.now();
    if (request.verificationExpiresAt && request.verificationExpiresAt <= now) {
      return err({ kind: 'expiry_in_past' });
    }
    const sms: SmsSendPayload = { to: request.msisdn, from: request.sender, text };
    const issued = await this.deps.codes.issue({
      serviceId: service.serviceId,
      msisdn: request.msisdn,
      codeHash: await hashSecret(code),
      now,
      expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS),
      verificationExpiresAt: request.verificationExpiresAt ?? null,
      maxPerHour: MAX_SENDS_PER_HOUR,
      sms,
    });
    if (issued === 'rate_limited') {
      return err({ kind: 'rate_limited' });
    }
    return ok(undefined);
  }

  async verify(service: ServiceContext, msisdn: Msisdn, code: string): Promise<Result<void, VerificationError>> {
    const notFound = err<VerificationError>({ kind: 'code_invalid' });
    const stored = await this.deps.codes.latest(service.serviceId, msisdn);
    if (!stored || stored.used || stored.attempts >= MAX_ATTEMPTS) return notFound;
    const now = this.deps.clock.now();
    if (stored.expiresAt <= now) return err({ kind: 'code_expired' });
    // The guess is counted before it is judged: concurrent guesses cannot exceed the limit.
    if (!(await this.deps.codes.claimAttempt(stored.id, MAX_ATTEMPTS))) return notFound;
    if (!/^[0-9]{1,12}$/.test(code) || !(await verifySecret(code, stored.codeHash))) return notFound;
    const verified = await this.deps.codes.markVerified(stored.id, service.serviceId, msisdn, now, stored.verificationExpiresAt);
    return verified ? ok(undefined) : notFound;
  }

  /** Whether the MSISDN is verified for the service now (a verification may have an end). */
  isVerified(service: ServiceContext, msisdn: Msisdn): Promise<boolean> {
    return this.deps.codes.isVerified(service.serviceId, msisdn, this.deps.clock.now());
  }

  /** Delivers queued SMS through the gateway; the PIN does not stay in the outbox after. */
  registerOutboxHandlers(dispatcher: OutboxDispatcher, gateway: SmsGateway): void {
    const deliver = (sms: SmsSendPayload, event: { id: number }) =>
      gateway.send({ to: sms.to as Msisdn, from: sms.from, text: sms.text, deliveryKey: `outbox:${event.id}`, secret: true });
    dispatcher.on(SMS_TOPIC, deliver, { forgetPayload: true });
  }
}
