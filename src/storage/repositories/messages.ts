import { type Kysely, sql } from 'kysely';
import type { SmsEncoding } from '../../core/messaging/encoding.js';
import type {
  ClaimedMessage,
  DeliveryReceipt,
  MessageStore,
  NewMessage,
  ReceiptOutcome,
  StoredMessage,
  SubmittedMessage,
} from '../../core/messaging/ports.js';
import { isMessageState } from '../../core/messaging/states.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Schema } from '../schema.js';

interface ClaimRow {
  id: string | number;
  merchant_id: string | number | null;
  msisdn: string;
  sender: string;
  body: string | null;
  encoding: string;
  attempts: number;
}

const CLAIM_COLUMNS = sql`id, merchant_id, msisdn, sender, body, encoding, attempts`;
/** A part of a submission that collided with an earlier one: the whole statement is undone. */
class PartialDuplicate extends Error {}

/**
 * The delivery report of every message in the statement's `ended` rows that came through
 * an endpoint, queued in the statement that ends it (migration 0019): the report is sent
 * exactly when the message ended, whichever way it ended.
 */
const REPORTS_OF_ENDED = sql`
  INSERT INTO outbox_events (topic, payload, created_at, available_at)
  SELECT 'message.reported',
         jsonb_build_object('messageId', e.id, 'endpointId', e.endpoint_id, 'merchantId', e.merchant_id,
                            'submissionKey', e.submission_key, 'recipientIndex', e.recipient_index, 'campaign', c.external_id,
                            'msisdn', e.msisdn, 'status', e.state,
                            'at', to_char(e.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
         e.finished_at, e.finished_at
    FROM ended e LEFT JOIN message_campaigns c ON c.id = e.campaign_id
   WHERE e.endpoint_id IS NOT NULL`;

/** Messages, campaigns and receipts (migration 0015). */
export class SqlMessageStore implements MessageStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async enqueue(messages: readonly NewMessage[]): Promise<{ ids: number[] } | 'duplicate'> {
    if (messages.length === 0) return { ids: [] };
    const column = <T>(pick: (m: NewMessage) => T) => messages.map(pick);
    try {
      return await this.db.transaction().execute(async (tx) => {
        const { rows } = await sql<{ id: string | number }>`
          INSERT INTO messages (merchant_id, endpoint_id, campaign_id, submission_key, recipient_index, msisdn, sender, body, secret,
                                encoding, segments, state, due_at, expires_at, created_at)
          SELECT merchant_id, endpoint_id, campaign_id, submission_key, recipient_index, msisdn, sender, body, secret,
                 encoding, segments, 'queued', due_at, expires_at, created_at
            FROM unnest(${column((m) => m.merchantId)}::bigint[], ${column((m) => m.endpointId)}::bigint[], ${column((m) => m.campaignId)}::bigint[],
                        ${column((m) => m.submissionKey)}::text[], ${column((m) => m.recipientIndex)}::int[],
                        ${column((m) => m.to)}::text[], ${column((m) => m.from)}::text[], ${column((m) => m.text)}::text[],
                        ${column((m) => m.secret)}::boolean[], ${column((m) => m.encoding)}::text[], ${column((m) => m.segments)}::int[],
                        ${column((m) => m.dueAt.toISOString())}::timestamptz[], ${column((m) => m.expiresAt.toISOString())}::timestamptz[],
                        ${column((m) => m.createdAt.toISOString())}::timestamptz[])
                 AS n(merchant_id, endpoint_id, campaign_id, submission_key, recipient_index, msisdn, sender, body, secret,
                      encoding, segments, due_at, expires_at, created_at)
          ORDER BY recipient_index
          ON CONFLICT DO NOTHING
          RETURNING id`.execute(tx);
        if (rows.length === 0) return 'duplicate' as const;
        if (rows.length !== messages.length) throw new PartialDuplicate();
        return { ids: rows.map((r) => Number(r.id)).sort((a, b) => a - b) };
      });
    } catch (error) {
      if (error instanceof PartialDuplicate) return 'duplicate';
      throw error;
    }
  }

  async claimDue(limit: number, leaseMs: number, at: Date): Promise<ClaimedMessage[]> {
    const { rows } = await sql<ClaimRow>`
      UPDATE messages SET leased_until = ${new Date(at.getTime() + leaseMs).toISOString()}::timestamptz, attempts = attempts + 1
       WHERE id IN (SELECT id FROM messages
                     WHERE state = 'queued' AND due_at <= ${at.toISOString()}::timestamptz
                       AND (leased_until IS NULL OR leased_until <= ${at.toISOString()}::timestamptz)
                     ORDER BY due_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING ${CLAIM_COLUMNS}`.execute(this.db);
    return rows.map(claimed).sort((a, b) => a.id - b.id);
  }

  async claim(id: number, leaseMs: number, at: Date): Promise<ClaimedMessage | null> {
    const { rows } = await sql<ClaimRow>`
      UPDATE messages SET leased_until = ${new Date(at.getTime() + leaseMs).toISOString()}::timestamptz, attempts = attempts + 1
       WHERE id = ${id} AND state = 'queued' AND due_at <= ${at.toISOString()}::timestamptz
         AND (leased_until IS NULL OR leased_until <= ${at.toISOString()}::timestamptz)
      RETURNING ${CLAIM_COLUMNS}`.execute(this.db);
    return rows[0] ? claimed(rows[0]) : null;
  }

  async markSubmitted(messages: readonly SubmittedMessage[], at: Date): Promise<number[]> {
    if (messages.length === 0) return [];
    const { rows } = await sql<{ id: string | number }>`
      UPDATE messages m SET state = 'submitted', connector = s.connector, connector_message_id = s.connector_message_id,
             submitted_at = ${at.toISOString()}::timestamptz, leased_until = NULL,
             body = CASE WHEN m.secret THEN NULL ELSE m.body END
        FROM unnest(${messages.map((m) => m.id)}::bigint[], ${messages.map((m) => m.connector)}::text[],
                    ${messages.map((m) => m.connectorMessageId)}::text[]) AS s(id, connector, connector_message_id)
       WHERE m.id = s.id AND m.state = 'queued'
      RETURNING m.id`.execute(this.db);
    return rows.map((r) => Number(r.id));
  }

  async markRejected(id: number, reason: string, at: Date): Promise<boolean> {
    const { rows } = await sql<{ n: string | number }>`
      WITH ended AS (
        UPDATE messages SET state = 'failed', failure_reason = ${reason.slice(0, 200)}, finished_at = ${at.toISOString()}::timestamptz,
               leased_until = NULL, body = CASE WHEN secret THEN NULL ELSE body END
         WHERE id = ${id} AND state = 'queued'
        RETURNING *),
      reported AS (${REPORTS_OF_ENDED})
      SELECT count(*) AS n FROM ended`.execute(this.db);
    return Number(rows[0]?.n ?? 0) === 1;
  }

  async release(ids: readonly number[], retryAt: Date): Promise<void> {
    if (ids.length === 0) return;
    await sql`UPDATE messages SET leased_until = ${retryAt.toISOString()}::timestamptz
               WHERE id = ANY(${[...ids]}::bigint[]) AND state = 'queued'`.execute(this.db);
  }

  async recordReceipts(connector: string, receipts: readonly DeliveryReceipt[]): Promise<ReceiptOutcome[]> {
    if (receipts.length === 0) return [];
    // applied is decided from the messages as the statement sees them: a submission
    // recorded concurrently is not seen, and its receipt is applied by applyPendingReceipts.
    const { rows } = await sql<{ connector_message_id: string; applied: boolean }>`
      WITH input AS (
        SELECT * FROM unnest(${receipts.map((r) => r.connectorMessageId)}::text[], ${receipts.map((r) => r.status)}::text[],
                             ${receipts.map((r) => r.reason?.slice(0, 200) ?? null)}::text[],
                             ${receipts.map((r) => r.receivedAt.toISOString())}::timestamptz[])
               AS i(connector_message_id, status, reason, received_at)),
      inserted AS (
        INSERT INTO message_receipts (connector, connector_message_id, status, reason, received_at, applied)
        SELECT ${connector}, i.connector_message_id, i.status, i.reason, i.received_at,
               EXISTS (SELECT 1 FROM messages m WHERE m.connector = ${connector}
                          AND m.connector_message_id = i.connector_message_id AND m.state <> 'queued')
          FROM input i
        ON CONFLICT DO NOTHING
        RETURNING connector_message_id, status, reason, received_at, applied),
      ended AS (
        UPDATE messages m SET state = inserted.status, failure_reason = inserted.reason, finished_at = inserted.received_at
          FROM inserted
         WHERE inserted.applied AND m.connector = ${connector}
           AND m.connector_message_id = inserted.connector_message_id AND m.state = 'submitted'
        RETURNING m.*),
      reported AS (${REPORTS_OF_ENDED})
      SELECT connector_message_id, applied FROM inserted`.execute(this.db);
    const fresh = new Map(rows.map((r) => [r.connector_message_id, r.applied]));
    return receipts.map((r) => {
      const applied = fresh.get(r.connectorMessageId);
      fresh.delete(r.connectorMessageId);
      if (applied === undefined) return 'duplicate';
      return applied ? 'applied' : 'unmatched';
    });
  }

  async applyPendingReceipts(limit: number): Promise<number> {
    const { rows } = await sql<{ n: string | number }>`
      WITH pending AS (
        SELECT r.connector, r.connector_message_id, r.status, r.reason, r.received_at
          FROM message_receipts r
         WHERE NOT r.applied
           AND EXISTS (SELECT 1 FROM messages m WHERE m.connector = r.connector
                          AND m.connector_message_id = r.connector_message_id AND m.state <> 'queued')
         ORDER BY r.received_at LIMIT ${limit} FOR UPDATE SKIP LOCKED),
      ended AS (
        UPDATE messages m SET state = p.status, failure_reason = p.reason, finished_at = p.received_at
          FROM pending p
         WHERE m.connector = p.connector AND m.connector_message_id = p.connector_message_id AND m.state = 'submitted'
        RETURNING m.*),
      reported AS (${REPORTS_OF_ENDED}),
      flagged AS (
        UPDATE message_receipts r SET applied = true FROM pending p
         WHERE r.connector = p.connector AND r.connector_message_id = p.connector_message_id
        RETURNING 1)
      SELECT count(*) AS n FROM flagged`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  async pruneUnmatchedReceipts(receivedBefore: Date, limit: number): Promise<number> {
    // The partial index on unapplied receipts' times: a range, however many were applied.
    const { rows } = await sql<{ n: string | number }>`
      WITH gone AS (
        DELETE FROM message_receipts r
         WHERE (r.connector, r.connector_message_id) IN (
                 SELECT connector, connector_message_id FROM message_receipts
                  WHERE NOT applied AND received_at < ${receivedBefore.toISOString()}::timestamptz
                  ORDER BY received_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
           AND NOT r.applied
        RETURNING 1)
      SELECT count(*) AS n FROM gone`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  async expireDue(at: Date, limit: number): Promise<number> {
    // A queued message under a live lease is being submitted: it ends by that submission's record.
    const { rows } = await sql<{ n: string | number }>`
      WITH ended AS (
        UPDATE messages SET state = 'expired', finished_at = ${at.toISOString()}::timestamptz, leased_until = NULL,
               body = CASE WHEN secret THEN NULL ELSE body END
         WHERE id IN (SELECT id FROM messages
                       WHERE state IN ('queued', 'submitted') AND expires_at <= ${at.toISOString()}::timestamptz
                         AND (state = 'submitted' OR leased_until IS NULL OR leased_until <= ${at.toISOString()}::timestamptz)
                       ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING *),
      reported AS (${REPORTS_OF_ENDED})
      SELECT count(*) AS n FROM ended`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  async find(id: number): Promise<StoredMessage | null> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    if (!isMessageState(row.state)) throw new Error(`message ${id} has an unknown state`);
    const date = (value: Date | string | null) => (value === null ? null : new Date(value));
    return {
      id: Number(row.id),
      merchantId: row.merchant_id === null ? null : Number(row.merchant_id),
      endpointId: row.endpoint_id === null ? null : Number(row.endpoint_id),
      campaignId: row.campaign_id === null ? null : Number(row.campaign_id),
      submissionKey: row.submission_key,
      recipientIndex: row.recipient_index,
      to: row.msisdn as Msisdn,
      from: row.sender,
      text: row.body,
      encoding: row.encoding as SmsEncoding,
      segments: row.segments,
      state: row.state,
      dueAt: new Date(row.due_at),
      expiresAt: new Date(row.expires_at),
      attempts: row.attempts,
      connector: row.connector,
      connectorMessageId: row.connector_message_id,
      failureReason: row.failure_reason,
      submittedAt: date(row.submitted_at),
      finishedAt: date(row.finished_at),
    };
  }

  async campaign(merchantId: number, externalId: string, at: Date): Promise<number> {
    // The no-op update makes RETURNING answer the existing row too (and waits for a concurrent insert).
    const { rows } = await sql<{ id: string | number }>`
      INSERT INTO message_campaigns (merchant_id, external_id, created_at) VALUES (${merchantId}, ${externalId}, ${at.toISOString()}::timestamptz)
      ON CONFLICT (merchant_id, external_id) DO UPDATE SET external_id = EXCLUDED.external_id
      RETURNING id`.execute(this.db);
    return Number(rows[0]?.id);
  }

  async queuedCount(): Promise<number> {
    const { rows } = await sql<{ n: string | number }>`SELECT count(*) AS n FROM messages WHERE state = 'queued'`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }
}

function claimed(row: ClaimRow): ClaimedMessage {
  // A queued message always has its text: the CHECK erases only submitted secrets.
  if (row.body === null) throw new Error(`queued message ${row.id} has no text`);
  return {
    id: Number(row.id),
    merchantId: row.merchant_id === null ? null : Number(row.merchant_id),
    to: row.msisdn as Msisdn,
    from: row.sender,
    text: row.body,
    encoding: row.encoding as SmsEncoding,
    attempts: row.attempts,
  };
}
