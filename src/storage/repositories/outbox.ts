import { type Kysely, sql } from 'kysely';
import type { OutboxEvent, OutboxRepository } from '../../core/outbox/ports.js';
import type { Schema } from '../schema.js';

export class SqlOutboxRepository implements OutboxRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async processDue(
    limit: number,
    handle: (event: OutboxEvent) => Promise<'delivered' | { retryInMs: number; error: string }>,
  ): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ id: string; topic: string; payload: unknown; attempts: number }>`
        SELECT id, topic, payload, attempts FROM outbox_events
         WHERE delivered_at IS NULL AND available_at <= now()
         ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(tx);
      for (const row of rows) {
        const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>;
        const result = await handle({ id: Number(row.id), topic: row.topic, payload, attempts: row.attempts });
        if (result === 'delivered') {
          await sql`UPDATE outbox_events SET delivered_at = now(), attempts = attempts + 1 WHERE id = ${row.id}`.execute(tx);
        } else {
          await sql`UPDATE outbox_events SET attempts = attempts + 1, last_error = ${result.error},
                      available_at = now() + ${result.retryInMs} * interval '1 millisecond' WHERE id = ${row.id}`.execute(tx);
        }
      }
      return rows.length;
    });
  }
}
