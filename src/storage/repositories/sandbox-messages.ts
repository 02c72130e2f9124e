import type { Kysely } from 'kysely';
import type { Schema } from '../schema.js';

export interface SandboxMessage {
  id: number;
  from: string;
  text: string;
  receivedAt: string;
}

const MAX_INBOX_MESSAGES = 200;

/** The sandbox handsets' SMS inboxes. */
export class SqlSandboxMessages {
  constructor(private readonly db: Kysely<Schema>) {}

  async deliver(msisdn: string, sender: string, text: string, deliveryKey: string, receivedAt: Date): Promise<void> {
    await this.db
      .insertInto('sandbox_messages')
      .values({ msisdn, sender, text, delivery_key: deliveryKey, received_at: receivedAt })
      .onConflict((oc) => oc.column('delivery_key').doNothing())
      .execute();
  }

  /** The newest messages of one inbox, oldest first. */
  async inbox(msisdn: string): Promise<SandboxMessage[]> {
    const rows = await this.db
      .selectFrom('sandbox_messages')
      .selectAll()
      .where('msisdn', '=', msisdn)
      .orderBy('id', 'desc')
      .limit(MAX_INBOX_MESSAGES)
      .execute();
    return rows.reverse().map((r) => ({ id: Number(r.id), from: r.sender, text: r.text, receivedAt: new Date(r.received_at).toISOString() }));
  }
}
