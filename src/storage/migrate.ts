import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Database, ScriptExecutor } from './db.js';

// Compiled code lives in dist/src/storage; the SQL stays in src/storage.
const SOURCE_DIRECTORY = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'src', 'storage');

/** Migrations are plain SQL files named NNNN_name.sql, applied in order, once each. */
export function migrationsDirectory(): string {
  return join(SOURCE_DIRECTORY, 'migrations');
}

/** SQL functions, one per file named <function>.sql, (re)applied whenever the file changes. */
export function functionsDirectory(): string {
  return join(SOURCE_DIRECTORY, 'functions');
}

export interface MigrationReport {
  applied: string[];
  /** Function files whose content was new or changed, so were (re)created. */
  functions: string[];
}

const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.sql$/;
const FUNCTION_FILE = /^([a-z][a-z0-9_]{0,62})\.sql$/;
const MAX_FUNCTION_FILES = 200;

export async function migrate(
  db: Database,
  directories: { migrations?: string; functions?: string } = {},
): Promise<MigrationReport> {
  const migrations = directories.migrations ?? migrationsDirectory();
  const functions = directories.functions ?? functionsDirectory();
  const report: MigrationReport = { applied: [], functions: [] };
  await db.runScriptsExclusively(async (exec) => {
    report.applied = await applyMigrations(exec, migrations);
    report.functions = await applyFunctions(exec, functions);
  });
  return report;
}

async function applyMigrations(exec: ScriptExecutor, directory: string): Promise<string[]> {
  const files = readdirSync(directory).filter((name) => MIGRATION_FILE.test(name)).sort();
  await exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  const done = new Set((await exec('SELECT version FROM schema_migrations')).map((row) => String(row.version)));
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    await exec(readFileSync(join(directory, file), 'utf8'));
    await exec('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
    applied.push(file);
  }
  return applied;
}

/**
 * Functions are code, not history: after the migrations, each file whose content hash
 * differs from the one recorded is applied again, in name order. Every overload of the
 * function's name is dropped first, so a changed signature or return type leaves no
 * stale overload behind (plain DROP, no CASCADE: a view or default that depends on the
 * function makes the migration fail loudly instead of vanishing).
 */
async function applyFunctions(exec: ScriptExecutor, directory: string): Promise<string[]> {
  const files = readdirSync(directory).filter((name) => FUNCTION_FILE.test(name)).sort();
  if (files.length > MAX_FUNCTION_FILES) throw new Error(`more than ${MAX_FUNCTION_FILES} SQL function files in ${directory}`);
  await exec(`CREATE TABLE IF NOT EXISTS schema_functions (
    name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  const recorded = new Map((await exec('SELECT name, sha256 FROM schema_functions')).map((row) => [String(row.name), String(row.sha256)]));
  const applied: string[] = [];
  for (const file of files) {
    const name = (FUNCTION_FILE.exec(file) as RegExpExecArray)[1] as string;
    const text = readFileSync(join(directory, file), 'utf8');
    const sha256 = createHash('sha256').update(text).digest('hex');
    if (recorded.get(name) === sha256) continue;
    if (!new RegExp(`CREATE OR REPLACE FUNCTION ${name}\\(`).test(text)) {
      throw new Error(`${file} must define the function ${name} (CREATE OR REPLACE FUNCTION ${name}(…))`);
    }
    await dropOverloads(exec, name);
    await exec(text);
    await exec(
      `INSERT INTO schema_functions (name, sha256) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()`,
      [name, sha256],
    );
    applied.push(name);
  }
  return applied;
}

async function dropOverloads(exec: ScriptExecutor, name: string): Promise<void> {
  const overloads = await exec(
    `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
       JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = current_schema() AND p.proname = $1`,
    [name],
  );
  for (const row of overloads) await exec(`DROP FUNCTION ${String(row.signature)}`);
}
