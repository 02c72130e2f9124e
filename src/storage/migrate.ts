import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Database } from './db.js';

/** Migrations are plain SQL files named NNNN_name.sql, applied in order, once each. */
export function migrationsDirectory(): string {
  // Compiled code lives in dist/src/storage; the SQL stays in src/storage/migrations.
  const here = fileURLToPath(new URL('.', import.meta.url));
  return join(here, '..', '..', '..', 'src', 'storage', 'migrations');
}

export interface MigrationReport {
  applied: string[];
}

export async function migrate(db: Database, directory = migrationsDirectory()): Promise<MigrationReport> {
  const files = readdirSync(directory)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort();
  const applied: string[] = [];
  await db.runScriptsExclusively(async (exec) => {
    await exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const done = new Set((await exec('SELECT version FROM schema_migrations')).map((row) => String(row.version)));
    for (const file of files) {
      if (done.has(file)) continue;
      await exec(readFileSync(join(directory, file), 'utf8'));
      await exec('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
      applied.push(file);
    }
  });
  return { applied };
}
