import type { FastifyPluginAsync, FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { ConfirmationSummary, WaitingConfirmation } from '../../core/confirmations/ports.js';
import type { DeliveryReceipt, SmsConnector, SmsEvents, SmsSubmission, SubmitOutcome } from '../../core/messaging/ports.js';
import type { PreAuthorizationService } from '../../core/preauthorization/service.js';
import type { Clock } from '../../kernel/clock.js';
import { type Msisdn, parseMsisdn } from '../../kernel/msisdn.js';
import { registerHandsetPage } from './handset-page.js';
import { sandboxSubscriber } from './profiles.js';
import { INBOUND_LIMITS, type InboundMessages } from '../../core/messaging/inbound.js';

export interface SandboxInboxMessage {
  id: number;
  from: string;
  text: string;
  receivedAt: string;
}

/** Where the sandbox keeps delivered SMS (a table, so every server sees the same inbox). */
export interface SandboxInbox {
  deliver(msisdn: string, sender: string, text: string, deliveryKey: string, receivedAt: Date): Promise<void>;
  inbox(msisdn: string): Promise<SandboxInboxMessage[]>;
}

/**
 * The sandbox network as an SMSC: every SMS lands in the handset's inbox and is reported
 * delivered, except to a subscriber unknown at the operator (profile 01), reported failed.
 */
export class SandboxSmsConnector implements SmsConnector {
  readonly name = 'sandbox';
  #events: SmsEvents | undefined;
  readonly #reporting = new Set<Promise<void>>();

  constructor(
    private readonly inbox: SandboxInbox,
    private readonly clock: Clock,
  ) {}

  async start(events: SmsEvents): Promise<void> {
    this.#events = events;
  }

  async submit(message: SmsSubmission): Promise<SubmitOutcome> {
    const connectorMessageId = `sandbox-${message.messageId}`;
    const known = sandboxSubscriber(message.to).profile.known;
    if (known) await this.inbox.deliver(message.to, message.from, message.text, `message:${message.messageId}`, this.clock.now());
    // As an SMSC does, the receipt comes after the answer to the submission.
    this.#report({
      connectorMessageId,
      status: known ? 'delivered' : 'failed',
      reason: known ? undefined : 'unknown_subscriber',
      receivedAt: this.clock.now(),
    });
    return { kind: 'accepted', connectorMessageId };
  }

  /** Waits for the receipts under way. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.#reporting]);
    this.#events = undefined;
  }

  #report(receipt: DeliveryReceipt): void {
    const events = this.#events;
    if (!events) return;
    const reporting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => events.receipt(receipt))
      // A receipt the store refused is lost: the message then ends by its validity.
      .catch(() => undefined)
      .finally(() => this.#reporting.delete(reporting));
    this.#reporting.add(reporting);
  }
}

/** What the handset routes need of the confirmation service. */
export interface HandsetPrompts {
  waitingFor(msisdn: Msisdn): Promise<WaitingConfirmation[]>;
  answer(id: number, msisdn: Msisdn, answer: 'confirmed' | 'declined'): Promise<boolean>;
  summary(id: number, msisdn: Msisdn): Promise<ConfirmationSummary | null>;
}

export interface HandsetDeps {
  inbox: SandboxInbox;
  prompts: HandsetPrompts;
  /** The subscriber's side of PreAuthorize tokens: their list, and revoking their own. */
  consents: Pick<PreAuthorizationService, 'listFor' | 'revokeFor'>;
  /** Where an SMS the handset sends to a short code arrives, as one from an SMSC would. */
  inbound: Pick<InboundMessages, 'receive'>;
  clock: Clock;
}

const msisdnParams = { type: 'object', properties: { msisdn: { type: 'string', maxLength: 40 } }, required: ['msisdn'] } as const;
const authorizationParams = {
  type: 'object',
  properties: { msisdn: { type: 'string', maxLength: 40 }, id: { type: 'string', pattern: '^[0-9]{1,15}$' } },
  required: ['msisdn', 'id'],
} as const;
const sentBody = {
  type: 'object',
  properties: { to: { type: 'string', pattern: '^[0-9]{3,16}$' }, text: { type: 'string', minLength: 1, maxLength: INBOUND_LIMITS.maxTextChars } },
  required: ['to', 'text'],
  additionalProperties: false,
} as const;
/**
 * Fastify's own validator removes the members a schema does not name: a body with others
 * would be taken without them. This one refuses it (400), as a misspelt member should be.
 */
const refuseUnknownMembers: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const validator = Compile(schema as TSchema);
  const refusal = httpPart === 'body' ? `body must be exactly {"to": a short code, "text": 1 to ${INBOUND_LIMITS.maxTextChars} characters}` : `${httpPart ?? 'request'} is not valid`;
  return (data: unknown) => (validator.Check(data) ? { value: data } : { error: new Error(refusal) });
};
const promptParams = {
  type: 'object',
  properties: { msisdn: { type: 'string', maxLength: 40 }, id: { type: 'string', pattern: '^[0-9]{1,15}$' }, answer: { enum: ['confirm', 'decline'] } },
  required: ['msisdn', 'id', 'answer'],
} as const;

/**
 * The virtual handsets: GET /sandbox/handsets/{msisdn}/messages (SMS, oldest first),
 * GET …/prompts (confirmation prompts waiting for an answer),
 * POST …/prompts/{id}/confirm|decline (JSON only, so a cross-site form cannot answer),
 * GET …/authorizations (the PreAuthorize tokens' consents),
 * DELETE …/authorizations/{id} (the subscriber revokes one; no form can send a DELETE) and
 * POST …/sent (JSON only, {to, text}: the handset sends an SMS to a short code, which arrives as an
 * SMSC's MO would, routed by its keyword).
 */
export const sandboxHandsetRoutes: FastifyPluginAsync<HandsetDeps> = async (app, deps) => {
  registerHandsetPage(app, deps);

  app.get<{ Params: { msisdn: string } }>('/handsets/:msisdn/messages', { schema: { params: msisdnParams } }, async (request, reply) => {
    const msisdn = parseMsisdn(request.params.msisdn);
    if (!msisdn) return reply.code(400).send({ error: 'invalid msisdn' });
    return deps.inbox.inbox(msisdn);
  });

  app.get<{ Params: { msisdn: string } }>('/handsets/:msisdn/prompts', { schema: { params: msisdnParams } }, async (request, reply) => {
    const msisdn = parseMsisdn(request.params.msisdn);
    if (!msisdn) return reply.code(400).send({ error: 'invalid msisdn' });
    const waiting = await deps.prompts.waitingFor(msisdn);
    return waiting.map((p) => ({ id: p.id, channel: p.channel, from: p.sender, text: p.prompt, expiresAt: p.expiresAt.toISOString() }));
  });

  app.post<{ Params: { msisdn: string; id: string; answer: 'confirm' | 'decline' } }>(
    '/handsets/:msisdn/prompts/:id/:answer',
    { schema: { params: promptParams } },
    async (request, reply) => {
      const msisdn = parseMsisdn(request.params.msisdn);
      if (!msisdn) return reply.code(400).send({ error: 'invalid msisdn' });
      if (!request.headers['content-type']?.startsWith('application/json')) {
        return reply.code(415).send({ error: 'send Content-Type: application/json' });
      }
      const answer = request.params.answer === 'confirm' ? 'confirmed' : 'declined';
      const accepted = await deps.prompts.answer(Number(request.params.id), msisdn, answer);
      if (!accepted) return reply.code(409).send({ error: 'this prompt is not waiting for an answer' });
      return { status: answer };
    },
  );

  app.post<{ Params: { msisdn: string }; Body: { to: string; text: string } }>(
    '/handsets/:msisdn/sent',
    { schema: { params: msisdnParams, body: sentBody }, validatorCompiler: refuseUnknownMembers },
    async (request, reply) => {
      const msisdn = parseMsisdn(request.params.msisdn);
      if (!msisdn) return reply.code(400).send({ error: 'invalid msisdn' });
      // JSON only, as a prompt's answer: a cross-site form cannot send one in the handset's name.
      if (!request.headers['content-type']?.startsWith('application/json')) {
        return reply.code(415).send({ error: 'send Content-Type: application/json' });
      }
      const id = await deps.inbound.receive({ from: msisdn, to: request.body.to, text: request.body.text, receivedAt: deps.clock.now() });
      return reply.code(202).send({ id });
    },
  );

  app.get<{ Params: { msisdn: string } }>('/handsets/:msisdn/authorizations', { schema: { params: msisdnParams } }, async (request, reply) => {
    const msisdn = parseMsisdn(request.params.msisdn);
    if (!msisdn) return reply.code(400).send({ error: 'invalid msisdn' });
    const consents = await deps.consents.listFor(msisdn);
    return consents.map((c) => ({
      id: c.id,
      serviceId: c.serviceId,
      service: c.serviceName,
      description: c.description,
      consent: c.consent,
      issuedAt: c.issuedAt.toISOString(),
      revokedAt: c.revokedAt?.toISOString() ?? null,
    }));
  });

  app.delete<{ Params: { msisdn: string; id: string } }>('/handsets/:msisdn/authorizations/:id', { schema: { params: authorizationParams } }, async (request, reply) => {
    const msisdn = parseMsisdn(request.params.msisdn);
    if (!msisdn) return reply.code(400).send({ error: 'invalid msisdn' });
    if (!(await deps.consents.revokeFor(msisdn, Number(request.params.id)))) {
      return reply.code(404).send({ error: 'no standing consent with this id for this msisdn' });
    }
    return { status: 'revoked' };
  });
};
