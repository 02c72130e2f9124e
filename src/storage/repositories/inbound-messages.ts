import { type Kysely, sql } from 'kysely';
import type { InboundRoute, InboundStore, ReceivedMessage } from '../../core/messaging/inbound.js';
import type { Schema } from '../schema.js';

interface RouteRow {
  id: string | number;
  short_code: string;
  keyword: string;
  endpoint_id: string | number;
  merchant_id: string | number;
}

const toRoute = (row: RouteRow): InboundRoute => ({
  routeId: Number(row.id),
  shortCode: row.short_code,
  keyword: row.keyword,
  endpointId: Number(row.endpoint_id),
  merchantId: Number(row.merchant_id),
});

/** Routes and received messages (migration 0020). */
export class SqlInboundStore implements InboundStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async route(shortCode: string, keyword: string): Promise<InboundRoute | null> {
    // The keyword's own route sorts before the default ('' < any keyword).
    const { rows } = await sql<RouteRow>`
      SELECT r.id, r.short_code, r.keyword, r.endpoint_id, e.merchant_id
        FROM message_routes r JOIN endpoints e ON e.id = r.endpoint_id
       WHERE r.short_code = ${shortCode} AND r.keyword IN (${keyword}, '')
       ORDER BY r.keyword DESC LIMIT 1`.execute(this.db);
    return rows[0] ? toRoute(rows[0]) : null;
  }

  async receive(message: ReceivedMessage): Promise<number> {
    const at = message.receivedAt.toISOString();
    const { rows } = await sql<{ id: string | number }>`
      WITH kept AS (
        INSERT INTO received_messages (msisdn, short_code, body, keyword, route_id, endpoint_id, received_at)
        VALUES (${message.from}, ${message.shortCode}, ${message.text}, ${message.keyword}, ${message.route?.routeId ?? null},
                ${message.route?.endpointId ?? null}, ${at}::timestamptz)
        RETURNING id),
      queued AS (
        INSERT INTO outbox_events (topic, payload, created_at, available_at)
        SELECT 'message.received',
               jsonb_build_object('receivedId', kept.id, 'endpointId', ${message.route?.endpointId ?? null}::bigint,
                                  'merchantId', ${message.route?.merchantId ?? null}::bigint, 'msisdn', ${message.from}::text,
                                  'shortCode', ${message.shortCode}::text, 'keyword', ${message.keyword}::text, 'text', ${message.text}::text,
                                  'at', ${at}::text),
               ${at}::timestamptz, ${at}::timestamptz
          FROM kept)
      SELECT id FROM kept`.execute(this.db);
    return Number(rows[0]?.id);
  }

  async addRoute(route: { shortCode: string; keyword: string; endpointId: number }, at: Date): Promise<InboundRoute | 'taken' | 'no_endpoint'> {
    const { rows } = await sql<RouteRow>`
      WITH added AS (
        INSERT INTO message_routes (short_code, keyword, endpoint_id, created_at)
        SELECT ${route.shortCode}, ${route.keyword}, e.id, ${at.toISOString()}::timestamptz FROM endpoints e WHERE e.id = ${route.endpointId}
        ON CONFLICT (short_code, keyword) DO NOTHING
        RETURNING id, short_code, keyword, endpoint_id)
      SELECT a.*, e.merchant_id FROM added a JOIN endpoints e ON e.id = a.endpoint_id`.execute(this.db);
    if (rows[0]) return toRoute(rows[0]);
    const endpoint = await this.db.selectFrom('endpoints').select('id').where('id', '=', String(route.endpointId)).executeTakeFirst();
    return endpoint ? 'taken' : 'no_endpoint';
  }

  async routes(): Promise<InboundRoute[]> {
    const { rows } = await sql<RouteRow>`
      SELECT r.id, r.short_code, r.keyword, r.endpoint_id, e.merchant_id
        FROM message_routes r JOIN endpoints e ON e.id = r.endpoint_id ORDER BY r.short_code, r.keyword`.execute(this.db);
    return rows.map(toRoute);
  }
}
