import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate, migrationsDirectory } from '../../src/storage/migrate.js';
import { databaseUrlFor, engines } from '../support/app.js';

/** SQL functions live one per file and are re-applied when, and only when, their content changes. */
for (const engine of engines()) {
  describe(`SQL function files [${engine}]`, () => {
    let db: Database;
    let directory: string;
    const functions = () => join(directory, 'functions');
    const write = (name: string, text: string) => writeFileSync(join(functions(), `${name}.sql`), text);
    const run = () => migrate(db, { migrations: migrationsDirectory(), functions: functions() });
    const signatures = async () =>
      (
        await sql<{ signature: string }>`SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
          WHERE p.proname = 'od_test_double' ORDER BY 1`.execute(db.kysely)
      ).rows.map((row) => row.signature);
    const call = async (text: string) => (await sql<{ v: unknown }>`SELECT ${sql.raw(text)} AS v`.execute(db.kysely)).rows[0]?.v;

    before(async () => {
      directory = mkdtempSync(join(tmpdir(), 'opendcb-functions-'));
      mkdirSync(functions());
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'function_files'), dataDir: 'memory://' });
    });
    after(async () => {
      await db.close();
      rmSync(directory, { recursive: true, force: true });
    });

    it('applies a new file, skips it while unchanged, re-applies it when changed', async () => {
      write('od_test_double', 'CREATE OR REPLACE FUNCTION od_test_double(p INTEGER) RETURNS INTEGER LANGUAGE sql AS $$ SELECT p * 2 $$;\n');
      assert.deepEqual((await run()).functions, ['od_test_double']);
      assert.equal(await call('od_test_double(21)'), 42);
      assert.deepEqual((await run()).functions, []);
      write('od_test_double', 'CREATE OR REPLACE FUNCTION od_test_double(p INTEGER) RETURNS INTEGER LANGUAGE sql AS $$ SELECT p + p + 1 $$;\n');
      assert.deepEqual((await run()).functions, ['od_test_double']);
      assert.equal(await call('od_test_double(21)'), 43);
    });

    it('a changed signature or return type replaces the old overload instead of adding one', async () => {
      write('od_test_double', 'CREATE OR REPLACE FUNCTION od_test_double(p JSONB) RETURNS TEXT LANGUAGE sql AS $$ SELECT (p->>\'n\') $$;\n');
      assert.deepEqual((await run()).functions, ['od_test_double']);
      assert.deepEqual(await signatures(), ['od_test_double(jsonb)']);
      assert.equal(await call(`od_test_double('{"n": "7"}'::jsonb)`), '7');
    });

    it('refuses a file that does not define the function it is named after, and applies nothing of that run', async () => {
      write('od_test_other', 'CREATE OR REPLACE FUNCTION od_test_misnamed() RETURNS INTEGER LANGUAGE sql AS $$ SELECT 1 $$;\n');
      await assert.rejects(run(), /od_test_other\.sql must define the function od_test_other/);
      rmSync(join(functions(), 'od_test_other.sql'));
      assert.deepEqual((await run()).functions, []);
    });
  });
}
