import type { Config } from '../config.js';
import type { SandboxInbox } from '../connectors/sandbox/messaging.js';
import { SandboxSmsConnector } from '../connectors/sandbox/messaging.js';
import { SmppConnector } from '../connectors/smpp/connector.js';
import type { SmsConnector } from '../core/messaging/ports.js';
import { MessagingService } from '../core/messaging/service.js';
import type { Clock } from '../kernel/clock.js';
import type { Metrics } from '../metrics.js';
import type { Database } from '../storage/db.js';
import { SqlMessageStore } from '../storage/repositories/messages.js';

/** Submissions a second per merchant, before the connector's own limits. */
const PER_MERCHANT_PER_SECOND = 100;

/**
 * Messages: stored, dispatched through the configured connector (SMS_CONNECTOR), ended by
 * its receipts. With smpp, every SMS goes to the SMSC, even while the sandbox network is on.
 */
export function messagingModule(deps: { config: Config; db: Database; clock: Clock; metrics: Metrics; inbox: SandboxInbox }): MessagingService {
  const store = new SqlMessageStore(deps.db.kysely);
  const sms = deps.config.sms;
  const connector: SmsConnector =
    sms.connector === 'smpp' ? new SmppConnector(sms.smpp, deps.clock, deps.metrics.smppObserver) : new SandboxSmsConnector(deps.inbox, deps.clock);
  const messaging = new MessagingService({
    store,
    connector,
    clock: deps.clock,
    perMerchantPerSecond: PER_MERCHANT_PER_SECOND,
    observer: deps.metrics.messagingObserver,
  });
  deps.metrics.watchSmsQueue(() => store.queuedCount());
  // Not started here: the connector binds (and MO may arrive) only once every listener is registered (app.ts).
  return messaging;
}
