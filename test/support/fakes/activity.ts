import type { ActivityRepository } from '../../../src/core/activity/ports.js';
import type { ActivityEntry, ActivityQuery, NewActivity } from '../../../src/core/activity/types.js';

/** The activity log in memory, ordered as the index orders it: (time, id). */
export class InMemoryActivity implements ActivityRepository {
  readonly entries: ActivityEntry[] = [];

  async append(entry: NewActivity, at: Date): Promise<number> {
    const entryId = this.entries.length + 1;
    this.entries.push({ ...entry, entryId, occurredAt: at });
    return entryId;
  }

  async list(q: ActivityQuery): Promise<ActivityEntry[]> {
    const key = (e: { occurredAt: Date; entryId: number }) => [e.occurredAt.getTime(), e.entryId] as const;
    const after = (a: readonly [number, number], b: readonly [number, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
    return this.entries
      .filter((e) => e.merchantId === q.merchantId && e.occurredAt >= q.from && e.occurredAt < q.until && (!q.after || after(key(e), key(q.after))))
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.entryId - b.entryId)
      .slice(0, q.limit);
  }
}
