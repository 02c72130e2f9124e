import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { databaseUrlFor, engines } from '../support/app.js';

/** The Database wrapper itself: what every repository relies on, on both engines. */
for (const engine of engines()) {
  describe(`database [${engine}]`, () => {
    let db: Database;
    before(async () => {
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'database'), dataDir: 'memory://' });
      await db.prepared('create', 'CREATE TABLE probe (v TEXT NOT NULL)', []);
    });
    after(() => db.close());

    it('a prepared (hot-path) statement never joins another caller’s open transaction', async () => {
      // PGlite is a single session: a statement sent to it directly while a Kysely
      // transaction is open would run inside that transaction and vanish with its rollback.
      let inside!: () => void;
      const transactionOpen = new Promise<void>((resolve) => {
        inside = resolve;
      });
      const rolledBack = db.kysely
        .transaction()
        .execute(async (tx) => {
          await sql`INSERT INTO probe VALUES ('rolled back')`.execute(tx);
          inside();
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error('roll back');
        })
        .catch((error: Error) => error.message);
      await transactionOpen;
      await db.prepared('probe_insert', 'INSERT INTO probe VALUES ($1)', ['kept']);
      assert.equal(await rolledBack, 'roll back');
      const rows = await db.prepared<{ v: string }>('probe_select', 'SELECT v FROM probe ORDER BY v', []);
      assert.deepEqual(rows.map((row) => row.v), ['kept']);
    });
  });
}
