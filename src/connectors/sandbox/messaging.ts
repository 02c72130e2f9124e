import type { FastifyPluginAsync } from 'fastify';
import type { SmsGateway, SmsMessage } from '../../core/messaging/ports.js';
import { parseMsisdn } from '../../kernel/msisdn.js';

export interface SandboxInboxMessage {
  id: number;
  from: string;
  text: string;
  receivedAt: string;
}

/** Where the sandbox keeps delivered SMS (a table, so every server sees the same inbox). */
export interface SandboxInbox {
  deliver(msisdn: string, sender: string, text: string, deliveryKey: string): Promise<void>;
  inbox(msisdn: string): Promise<SandboxInboxMessage[]>;
}

/** The sandbox network's SMS gateway: every SMS lands in the handset's inbox. */
export class SandboxSmsGateway implements SmsGateway {
  constructor(private readonly inbox: SandboxInbox) {}

  async send(message: SmsMessage): Promise<void> {
    await this.inbox.deliver(message.to, message.from, message.text, message.deliveryKey);
  }
}

/** GET /sandbox/handsets/{msisdn}/messages: a virtual handset's SMS, oldest first. */
export const sandboxHandsetRoutes: FastifyPluginAsync<{ inbox: SandboxInbox }> = async (app, { inbox }) => {
  app.get<{ Params: { msisdn: string } }>(
    '/handsets/:msisdn/messages',
    { schema: { params: { type: 'object', properties: { msisdn: { type: 'string', maxLength: 40 } }, required: ['msisdn'] } } },
    async (request, reply) => {
      const msisdn = parseMsisdn(request.params.msisdn);
      if (!msisdn) return reply.code(400).send({ error: 'invalid msisdn' });
      return inbox.inbox(msisdn);
    },
  );
};
