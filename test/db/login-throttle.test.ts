import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { SqlLoginThrottleStore } from '../../src/storage/repositories/login-throttle.js';
import { databaseUrlFor, engines } from '../support/app.js';

const key = (name: string) => name.padEnd(64, '0');
const WINDOW_MS = 60_000;

/** The throttle's counts are atomic in the database: no concurrent check can overtake another's count. */
for (const engine of engines()) {
  describe(`login throttle store [${engine}]`, () => {
    let db: Database;
    let store: SqlLoginThrottleStore;
    before(async () => {
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'throttle'), dataDir: 'memory://', poolSize: 20 });
      await migrate(db);
      store = new SqlLoginThrottleStore(db.kysely);
    });
    after(() => db.close());

    it('400 concurrent takes of the same keys count 1…400, each exactly once', async () => {
      const keys = [key('a1'), key('b1'), key('c1')];
      const at = new Date('2026-12-03T10:00:00Z');
      const taken = await Promise.all(Array.from({ length: 400 }, () => store.take(keys, at, WINDOW_MS)));
      for (const name of keys) {
        const counts = taken.map((windows) => windows.get(name)?.failures).sort((a, b) => Number(a) - Number(b));
        assert.deepEqual(counts, Array.from({ length: 400 }, (_, i) => i + 1));
      }
    });

    it('a window ends: the next take starts a new one; a give-back only touches its own window', async () => {
      const keys = [key('a2')];
      const first = await store.take(keys, new Date('2026-12-03T10:00:00Z'), WINDOW_MS);
      await store.take(keys, new Date('2026-12-03T10:00:30Z'), WINDOW_MS);
      const third = await store.take(keys, new Date('2026-12-03T10:01:00Z'), WINDOW_MS);
      assert.equal(third.get(key('a2'))?.failures, 1);
      assert.deepEqual(third.get(key('a2'))?.windowStartedAt, new Date('2026-12-03T10:01:00Z'));
      await store.giveBack(first);
      const { rows } = await sql<{ failures: number }>`SELECT failures FROM login_failures WHERE key_hash = ${key('a2')}`.execute(db.kysely);
      assert.equal(Number(rows[0]?.failures), 1, 'the old window\'s give-back does not touch the new one');
      await store.giveBack(third);
      await store.giveBack(third);
      const after = await sql<{ failures: number }>`SELECT failures FROM login_failures WHERE key_hash = ${key('a2')}`.execute(db.kysely);
      assert.equal(Number(after.rows[0]?.failures), 0, 'never below zero');
    });

    it('known sources are remembered per credential and pruned when long unseen', async () => {
      const { rows } = await sql<{ id: string }>`
        WITH m AS (INSERT INTO merchants (name) VALUES ('m') RETURNING id),
             s AS (INSERT INTO endpoints (id, merchant_id, kind, name, currency) SELECT 4242, id, 'strex-directpay', 's', 'NOK' FROM m RETURNING id)
        INSERT INTO credentials (endpoint_id, kind, identifier, secret_hash) SELECT id, 'basic', 'u', 'h' FROM s RETURNING id`.execute(db.kysely);
      const credentialId = Number(rows[0]?.id);
      assert.equal(await store.isKnownSource(credentialId, '10.0.0.1'), false);
      await store.rememberSource(credentialId, '10.0.0.1', new Date('2026-01-01T00:00:00Z'));
      await store.rememberSource(credentialId, '10.0.0.1', new Date('2026-12-01T00:00:00Z'));
      assert.equal(await store.isKnownSource(credentialId, '10.0.0.1'), true);
      assert.equal(await store.isKnownSource(credentialId, '10.0.0.2'), false);
      const pruned = await store.prune(new Date('2030-01-01T00:00:00Z'), new Date('2026-11-15T00:00:00Z'));
      assert.ok(pruned >= 4, 'every ended window went');
      assert.equal(await store.isKnownSource(credentialId, '10.0.0.1'), true, 'seen again on 2026-12-01');
      await store.prune(new Date('2030-01-01T00:00:00Z'), new Date('2026-12-02T00:00:00Z'));
      assert.equal(await store.isKnownSource(credentialId, '10.0.0.1'), false);
    });
  });
}
