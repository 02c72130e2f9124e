import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../kernel/clock.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { sha256Hex } from '../../kernel/secrets.js';
import type { CarrierNetwork } from '../carrier/ports.js';
import type { ConfirmationChannel } from '../confirmations/ports.js';
import type { ConfirmationService } from '../confirmations/service.js';
import { checkSubscriber } from '../limits/rules.js';
import type { ServiceContext } from '../merchants/types.js';
import type { PreAuthorizeError } from '../payments/errors.js';
import type { AuthorizationTokenRepository, ConsentMode, ConsentRecord } from './ports.js';

const TOKEN_BYTES = 32;
/** A page of consents stays readable; nobody holds more than a few. */
const MAX_LISTED = 100;
const STANDARD_TEXT = 'Reply to allow future payments to this service to be charged to your phone bill without asking each time.';

export interface PreAuthorizeRequest {
  readonly msisdn: Msisdn;
  /** The merchant's own id of this request, echoed back. */
  readonly clientTransactionId: string;
  readonly channel: ConfirmationChannel;
  /** Who SMS prompts come from. */
  readonly shortNumber?: string | undefined;
  readonly messagePrefix?: string | undefined;
  readonly messageSuffix?: string | undefined;
  readonly tokenDescription?: string | undefined;
  /** The minimum age, any whole number of years. */
  readonly minimumAge?: number | undefined;
  /** 'prompted': ask the subscriber now; 'merchant_asserted': the merchant already has the consent. */
  readonly consent: ConsentMode;
}

export interface PreAuthorization {
  readonly externalReference: string;
  readonly token: string;
  readonly clientTransactionId: string;
}

/**
 * Pre-authorisation: the subscriber consents once on the handset (or the merchant asserts
 * a consent it obtained itself), and the service gets a token that lets Pay charge that
 * subscriber without asking again. A token belongs to one (service, MSISDN), records how
 * the consent was given, never expires, is stored only as a hash, and can be revoked.
 */
export class PreAuthorizationService {
  constructor(
    private readonly deps: {
      carrier: CarrierNetwork;
      confirmations: Pick<ConfirmationService, 'confirm'>;
      tokens: AuthorizationTokenRepository;
      clock: Clock;
    },
  ) {}

  async authorize(service: ServiceContext, request: PreAuthorizeRequest): Promise<Result<PreAuthorization, PreAuthorizeError>> {
    const profile = await this.deps.carrier.subscriber(request.msisdn);
    // The subscriber checks hold whoever vouches for the consent: a merchant's word does
    // not make an unknown, ineligible or underage subscriber chargeable.
    const violation = checkSubscriber(profile, 0n, service.currency, request.minimumAge);
    if (violation) return err(violation);
    if (request.consent === 'prompted') {
      const refusal = await this.#ask(service, request);
      if (refusal) return err(refusal);
    }
    return ok(await this.#issue(service, request));
  }

  async #ask(service: ServiceContext, request: PreAuthorizeRequest): Promise<PreAuthorizeError | null> {
    const outcome = await this.deps.confirmations.confirm({
      serviceId: service.serviceId,
      payment: null,
      msisdn: request.msisdn,
      channel: request.channel,
      shortNumber: request.shortNumber,
      prompt: consentText(request),
    });
    if (outcome === 'declined') return { kind: 'consent_declined' };
    if (outcome === 'confirmed') return null;
    // No answer in time, or a wait ended by a shutdown, is no consent.
    return { kind: 'consent_expired' };
  }

  async #issue(service: ServiceContext, request: PreAuthorizeRequest): Promise<PreAuthorization> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const externalReference = randomUUID();
    await this.deps.tokens.create({
      serviceId: service.serviceId,
      msisdn: request.msisdn,
      tokenHash: sha256Hex(token),
      externalReference,
      clientTransactionId: request.clientTransactionId,
      description: request.tokenDescription ?? null,
      consent: request.consent,
      createdAt: this.deps.clock.now(),
    });
    return { externalReference, token, clientTransactionId: request.clientTransactionId };
  }

  /** Whether the token lets the service charge the MSISDN now. */
  isValid(service: ServiceContext, msisdn: Msisdn, token: string): Promise<boolean> {
    return this.deps.tokens.isValid(service.serviceId, msisdn, sha256Hex(token));
  }

  /** Withdraws a token by its value, within the service that holds it (the platform operator). */
  revoke(service: ServiceContext, token: string): Promise<boolean> {
    return this.deps.tokens.revoke(service.serviceId, sha256Hex(token), this.deps.clock.now());
  }

  /**
   * The subscriber's consents: the MSISDN's tokens of any service, oldest first; revoked
   * ones stay listed with the time they were revoked, so the subscriber can see what ended.
   */
  listFor(msisdn: Msisdn): Promise<ConsentRecord[]> {
    return this.deps.tokens.listFor(msisdn, MAX_LISTED);
  }

  /**
   * The subscriber withdraws one of their own consents, named by its listed id: the
   * MSISDN scopes it, so one subscriber can never revoke another's token by guessing ids.
   */
  revokeFor(msisdn: Msisdn, id: number): Promise<boolean> {
    return this.deps.tokens.revokeFor(msisdn, id, this.deps.clock.now());
  }
}

function consentText(request: PreAuthorizeRequest): string {
  const description = request.tokenDescription ? ` (${request.tokenDescription})` : '';
  return [request.messagePrefix, `${STANDARD_TEXT}${description}`, request.messageSuffix].filter(Boolean).join(' ');
}
