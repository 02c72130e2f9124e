import { OutboxDispatcher } from '../core/outbox/service.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlOutboxRepository } from '../storage/repositories/outbox.js';

/** The outbox: the other modules register their topics' handlers on it; a job delivers. */
export function outboxModule(deps: { db: Database; clock: Clock }): OutboxDispatcher {
  return new OutboxDispatcher(new SqlOutboxRepository(deps.db.kysely), deps.clock);
}
