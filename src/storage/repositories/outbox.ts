import { type Kysely, sql } from 'kysely';
import type { DeadLetter, DeliveryOutcome, OutboxEvent, OutboxRepository } from '../../core/outbox/ports.js';
import type { Schema } from '../schema.js';

export class SqlOutboxRepository implements OutboxRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async claimDue(limit: number, leaseMs: number, at: Date): Promise<OutboxEvent[]> {
    const leasedUntil = new Date(at.getTime() + leaseMs);
    const { rows } = await sql<{ id: string; topic: string; payload: unknown; attempts: number; retrying_since: Date | string }>`
      UPDATE outbox_events SET available_at = ${leasedUntil.toISOString()}::timestamptz
       WHERE id IN (SELECT id FROM outbox_events
                     WHERE delivered_at IS NULL AND dead_at IS NULL AND available_at <= ${at.toISOString()}::timestamptz
                     ORDER BY available_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id, topic, payload, attempts, coalesce(retrying_since, created_at) AS retrying_since`.execute(this.db);
    return rows.map((row) => ({
      id: Number(row.id),
      topic: row.topic,
      payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>,
      attempts: row.attempts,
      retryingSince: new Date(row.retrying_since),
    }));
  }

  async complete(outcomes: ReadonlyArray<DeliveryOutcome>, at: Date): Promise<void> {
    const deliveredAt = at.toISOString();
    const delivered = (forget: boolean) => outcomes.filter((o) => o.result === 'delivered' && o.forgetPayload === forget).map((o) => o.eventId);
    const [kept, forgotten] = [delivered(false), delivered(true)];
    if (kept.length > 0) {
      await sql`UPDATE outbox_events SET delivered_at = ${deliveredAt}::timestamptz, attempts = attempts + 1
                 WHERE id = ANY(${kept}::bigint[])`.execute(this.db);
    }
    if (forgotten.length > 0) {
      await sql`UPDATE outbox_events SET delivered_at = ${deliveredAt}::timestamptz, attempts = attempts + 1, payload = '{"forgotten":true}'::jsonb
                 WHERE id = ANY(${forgotten}::bigint[])`.execute(this.db);
    }
    for (const { eventId, result } of outcomes) {
      if (result === 'delivered') continue;
      if ('dead' in result) {
        await sql`UPDATE outbox_events SET attempts = attempts + 1, last_error = ${result.error}, dead_at = ${deliveredAt}::timestamptz
                   WHERE id = ${eventId}`.execute(this.db);
        continue;
      }
      const retryAt = new Date(at.getTime() + result.retryInMs);
      await sql`UPDATE outbox_events SET attempts = attempts + 1, last_error = ${result.error},
                  available_at = ${retryAt.toISOString()}::timestamptz WHERE id = ${eventId}`.execute(this.db);
    }
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const rows = await this.db
      .selectFrom('outbox_events')
      .select(['id', 'topic', 'attempts', 'last_error', 'created_at', 'dead_at'])
      .where('dead_at', 'is not', null)
      .where('delivered_at', 'is', null)
      .orderBy('dead_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      topic: row.topic,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: new Date(row.created_at),
      deadAt: new Date(row.dead_at as Date | string),
    }));
  }

  async deadLetterCount(): Promise<number> {
    const row = await this.db
      .selectFrom('outbox_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('dead_at', 'is not', null)
      .where('delivered_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async resend(id: number, at: Date): Promise<boolean> {
    // The topic's retry window counts again from the operator's request.
    const result = await sql`
      UPDATE outbox_events SET dead_at = NULL, attempts = 0, available_at = ${at.toISOString()}::timestamptz, retrying_since = ${at.toISOString()}::timestamptz
       WHERE id = ${id} AND dead_at IS NOT NULL AND delivered_at IS NULL`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) === 1;
  }
}
