import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { type DataDirectoryLock, lockDataDirectory } from './data-dir-lock.js';
import type { Schema } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** One database, whichever engine: Kysely for queries, a raw path for SQL scripts. */
export interface Database {
  readonly kind: DatabaseKind;
  readonly kysely: Kysely<Schema>;
  /** Runs a multi-statement script in one transaction, holding the migration lock. */
  runScriptsExclusively(run: (exec: ScriptExecutor) => Promise<void>): Promise<void>;
  /**
   * Runs one statement of the hot path as a named prepared statement: PostgreSQL parses
   * and plans it once per connection instead of once per call.
   */
  prepared<R>(name: string, text: string, params: readonly unknown[]): Promise<R[]>;
  /** Runs work that must not race another process (seeding), under a cluster-wide lock. */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type ScriptExecutor = (sqlText: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface DatabaseOptions {
  /** postgres://… selects PostgreSQL; otherwise PGlite in dataDir ('memory://' for none). */
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
}

// Any fixed 64-bit key works; it only has to be the same in every process.
const MIGRATION_LOCK_KEY = 7_204_116_001;
const EXCLUSIVE_LOCK_KEY = 7_204_116_002;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir);
}

async function openPostgres(connectionString: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: poolSize, connectionTimeoutMillis: 10_000 });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    kysely,
    async runScriptsExclusively(run) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        await run(async (text, params) => (await client.query(text, params)).rows);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async prepared<R>(name: string, text: string, params: readonly unknown[]) {
      return (await pool.query({ name, text, values: [...params] })).rows as R[];
    },
    async exclusively(work) {
      // A session lock on a client of its own: the work itself uses the pool freely.
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [EXCLUSIVE_LOCK_KEY]);
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [EXCLUSIVE_LOCK_KEY]).catch(() => {});
        client.release();
      }
    },
    close: () => kysely.destroy(),
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  const { pglite, lock } = await startPglite(dataDir);
  const kysely = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'pglite',
    kysely,
    async runScriptsExclusively(run) {
      // PGlite is single-connection and in-process: its transaction is exclusive.
      await pglite.transaction(async (tx) => {
        await run(async (text, params) => {
          if (params && params.length > 0) return (await tx.query<Record<string, unknown>>(text, params)).rows;
          const results = await tx.exec(text);
          return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
        });
      });
    },
    async prepared<R>(_name: string, text: string, params: readonly unknown[]) {
      // Through Kysely's driver, never PGlite directly: PGlite is one session, and the
      // driver lends it to one user at a time. A direct query would run inside whatever
      // transaction another caller has open, and vanish with its rollback.
      return (await kysely.executeQuery<R>(CompiledQuery.raw(text, [...params]))).rows;
    },
    exclusively: serialized(),
    async close() {
      try {
        await kysely.destroy();
        // The dialect only closes a PGlite it has queried through; a migrate-only run has not.
        if (!pglite.closed) await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** The data directory is locked before PGlite touches its files, and until they are closed. */
async function startPglite(dataDir: string): Promise<{ pglite: PGlite; lock: DataDirectoryLock | undefined }> {
  const inMemory = dataDir === 'memory://' || dataDir === '';
  if (inMemory) return { pglite: await createPglite(undefined), lock: undefined };
  mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDirectory(dataDir);
  try {
    return { pglite: await createPglite(dataDir), lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function createPglite(dataDir: string | undefined): Promise<PGlite> {
  // int8 as text, as pg returns it: a JS number would lose precision above 2^53.
  const parsers = { [types.INT8]: (value: string) => value };
  try {
    return dataDir === undefined ? await PGlite.create({ parsers }) : await PGlite.create({ dataDir, parsers });
  } catch (error) {
    // PGlite's file-system errors are bare objects (`ErrnoError { errno: 2 }`) that name no path.
    throw new Error(`The embedded database in DATA_DIR ${dataDir ?? 'memory://'} could not be opened: ${describeFailure(error)}`, { cause: error });
  }
}

// The WASI errno numbers Emscripten's file system reports, for the ones a data directory meets.
const WASI_ERRNO: Record<number, string> = {
  2: 'permission denied',
  44: 'no such file or directory',
  51: 'no space left on device',
  54: 'not a directory',
  63: 'operation not permitted',
  69: 'read-only file system',
};

function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.message;
  const { name, errno } = (error ?? {}) as { name?: unknown; errno?: unknown };
  if (typeof errno !== 'number') return String(name ?? error);
  return `${WASI_ERRNO[errno] ?? 'file-system error'} (${String(name ?? 'error')} ${errno})`;
}

/** PGlite lives in one process: an in-process queue is the whole lock. */
function serialized() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => {});
    return run;
  };
}
