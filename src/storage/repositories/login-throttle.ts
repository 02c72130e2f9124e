import { type Kysely, sql } from 'kysely';
import type { FailureWindow, LoginThrottleStore } from '../../core/merchants/ports.js';
import type { Schema } from '../schema.js';

/** Failure windows and known sources of credential checks (migration 0008). */
export class SqlLoginThrottleStore implements LoginThrottleStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async take(keys: readonly string[], at: Date, windowMs: number): Promise<Map<string, FailureWindow>> {
    const expiredBefore = new Date(at.getTime() - windowMs);
    // One upsert for all keys, in key order: the row locks serialise concurrent checks of
    // a key (no count is lost) and are always taken in one order (no deadlock).
    const { rows } = await sql<{ key_hash: string; failures: number; window_started_at: Date }>`
      INSERT INTO login_failures AS f (key_hash, window_started_at, failures)
      SELECT k, ${at.toISOString()}::timestamptz, 1 FROM unnest(${[...keys].sort()}::text[]) AS k ORDER BY k
      ON CONFLICT (key_hash) DO UPDATE SET
        window_started_at = CASE WHEN f.window_started_at <= ${expiredBefore.toISOString()}::timestamptz
                                 THEN EXCLUDED.window_started_at ELSE f.window_started_at END,
        failures = CASE WHEN f.window_started_at <= ${expiredBefore.toISOString()}::timestamptz THEN 1 ELSE f.failures + 1 END
      RETURNING key_hash, failures, window_started_at`.execute(this.db);
    return new Map(rows.map((row) => [row.key_hash, { failures: Number(row.failures), windowStartedAt: new Date(row.window_started_at) }]));
  }

  async giveBack(windows: ReadonlyMap<string, FailureWindow>): Promise<void> {
    if (windows.size === 0) return;
    const keys = [...windows.keys()];
    const starts = keys.map((key) => windows.get(key)?.windowStartedAt.toISOString() ?? '');
    await sql`
      UPDATE login_failures AS f SET failures = f.failures - 1
        FROM unnest(${keys}::text[], ${starts}::timestamptz[]) AS w(key_hash, window_started_at)
       WHERE f.key_hash = w.key_hash AND f.window_started_at = w.window_started_at AND f.failures > 0`.execute(this.db);
  }

  async isKnownSource(credentialId: number, source: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('credential_sources')
      .select('credential_id')
      .where('credential_id', '=', credentialId)
      .where('source', '=', source)
      .executeTakeFirst();
    return row !== undefined;
  }

  async rememberSource(credentialId: number, source: string, at: Date): Promise<void> {
    await this.db
      .insertInto('credential_sources')
      .values({ credential_id: credentialId, source, last_verified_at: at })
      .onConflict((oc) => oc.columns(['credential_id', 'source']).doUpdateSet({ last_verified_at: at }))
      .execute();
  }

  async prune(windowsBefore: Date, sourcesBefore: Date): Promise<number> {
    const windows = await this.db.deleteFrom('login_failures').where('window_started_at', '<', windowsBefore).executeTakeFirst();
    const sources = await this.db.deleteFrom('credential_sources').where('last_verified_at', '<', sourcesBefore).executeTakeFirst();
    return Number(windows.numDeletedRows) + Number(sources.numDeletedRows);
  }
}
