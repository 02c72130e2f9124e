import { type Kysely, sql } from 'kysely';
import type { ActivityRepository } from '../../core/activity/ports.js';
import type { ActivityEntry, ActivityItem, ActivityQuery, ActivityValue, NewActivity } from '../../core/activity/types.js';
import { assert } from '../../kernel/assert.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Schema } from '../schema.js';

/** How an item is stored: [key, type, value as text], so a bigint or decimal keeps every digit. */
type StoredItem = [string, ActivityValue['type'], string];

export class SqlActivityRepository implements ActivityRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async append(entry: NewActivity, at: Date): Promise<number> {
    const data: StoredItem[] = entry.data.map((item) => [item.key, item.value.type, String(item.value.value)]);
    const row = await this.db
      .insertInto('activity_entries')
      .values({
        merchant_id: entry.merchantId,
        endpoint_id: entry.endpointId,
        product_id: entry.productId,
        msisdn: entry.msisdn,
        operator: entry.operator,
        engagement: entry.engagement,
        data: sql`${JSON.stringify(data)}::jsonb`,
        occurred_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async list(query: ActivityQuery): Promise<ActivityEntry[]> {
    let select = this.db
      .selectFrom('activity_entries')
      .selectAll()
      .where('merchant_id', '=', query.merchantId)
      .where('occurred_at', '>=', query.from)
      .where('occurred_at', '<', query.until);
    const { after } = query;
    if (after) select = select.where(sql<boolean>`(occurred_at, id) > (${after.occurredAt.toISOString()}::timestamptz, ${after.entryId})`);
    const rows = await select.orderBy('occurred_at').orderBy('id').limit(query.limit).execute();
    return rows.map((r) => ({
      entryId: Number(r.id),
      merchantId: Number(r.merchant_id),
      endpointId: Number(r.endpoint_id),
      productId: Number(r.product_id),
      msisdn: r.msisdn as Msisdn,
      operator: r.operator,
      engagement: r.engagement,
      data: (r.data as StoredItem[]).map(itemOf),
      occurredAt: new Date(r.occurred_at),
    }));
  }
}

function itemOf([key, type, value]: StoredItem): ActivityItem {
  if (type === 'integer') return { key, value: { type, value: BigInt(value) } };
  assert(type === 'decimal' || type === 'text', `a stored activity value type: ${type}`);
  return { key, value: { type, value } };
}
