import type { Endpoint } from '../core/merchants/accounts-types.js';
import type { AccountsService } from '../core/merchants/accounts.js';
import { InboundMessages } from '../core/messaging/inbound.js';
import type { MessagingService } from '../core/messaging/service.js';
import type { MessageReceivedPayload } from '../core/outbox/catalogue.js';
import type { OutboxDispatcher } from '../core/outbox/service.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlInboundStore } from '../storage/repositories/inbound-messages.js';

/** How long an owner's MO receiver may stay unreachable before the forward is a dead letter. */
const FORWARD_RETRY_WINDOW_MS = 24 * 3_600_000;

export type MoForwarder = (endpoint: Endpoint, message: MessageReceivedPayload) => Promise<void>;

/**
 * Messages from subscribers: every connector's MO kept and routed (InboundMessages), then from
 * the outbox the keyword hooks (STOP) and the forward to the owning endpoint, by the
 * forwarder of its kind; retried for a day, then a dead letter.
 */
export function inboundModule(deps: {
  db: Database;
  clock: Clock;
  messaging: MessagingService;
  outbox: OutboxDispatcher;
  accounts: AccountsService;
  forwarders: readonly MoForwarder[];
}): InboundMessages {
  const inbound = new InboundMessages({ store: new SqlInboundStore(deps.db.kysely), clock: deps.clock });
  deps.messaging.onMobileOriginated(async (message) => {
    await inbound.receive(message);
  });
  deps.outbox.on(
    'message.received',
    async (message) => {
      await inbound.runHooks(message);
      if (message.endpointId === null) return;
      const endpoint = await deps.accounts.findEndpoint(message.endpointId);
      // A route's endpoint of another merchant than the event says is told nothing.
      if (!endpoint || endpoint.merchantId !== message.merchantId) return;
      for (const forward of deps.forwarders) await forward(endpoint, message);
    },
    { giveUpAfterMs: FORWARD_RETRY_WINDOW_MS },
  );
  return inbound;
}
