// Queries the benchmark makes against PostgreSQL directly: checkpoints and the statistics that
// say what the database did per payment.
import pg from 'pg';

export interface DatabaseStats {
  transactions: number;
  inserted: number;
  updated: number;
  walLsn: number;
  payments: number;
  outboxBacklog: number;
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function serverVersion(url: string): Promise<string | undefined> {
  return withClient(url, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version);
}

/** Writes dirty pages out now, so that a checkpoint from the set-up does not land in a measured window. */
export async function checkpoint(url: string): Promise<void> {
  await withClient(url, (client) => client.query('CHECKPOINT'));
}

/** Vacuums and analyzes the database now, so that autovacuum does not visit what the set-up wrote during a measured window. */
export async function vacuumAnalyze(url: string): Promise<void> {
  await withClient(url, (client) => client.query('VACUUM (ANALYZE)'));
}

/** Drops a database a finished round used, so that autovacuum's later visits to it do not land in the next round's window. */
export async function dropDatabase(adminUrl: string, appUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(appUrl).pathname.slice(1));
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`));
}

/** Cluster-wide counters for the app database (from adminUrl) plus its payment and outbox counts. */
export async function databaseStats(adminUrl: string, appUrl: string): Promise<DatabaseStats> {
  const name = decodeURIComponent(new URL(appUrl).pathname.slice(1));
  const stats = await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ xacts: string; inserted: string; updated: string; lsn: string }>(
      `SELECT xact_commit + xact_rollback AS xacts, tup_inserted AS inserted, tup_updated AS updated,
              pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS lsn
         FROM pg_stat_database WHERE datname = $1`,
      [name],
    );
    return rows[0];
  });
  const counts = await withClient(appUrl, paymentCounts);
  return {
    transactions: Number(stats?.xacts ?? 0),
    inserted: Number(stats?.inserted ?? 0),
    updated: Number(stats?.updated ?? 0),
    walLsn: Number(stats?.lsn ?? 0),
    ...counts,
  };
}

/** Payments recorded and outbox events undelivered; zero before the server has migrated the schema. */
async function paymentCounts(client: pg.Client): Promise<{ payments: number; outboxBacklog: number }> {
  const exists = await client.query(`SELECT to_regclass('payments') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return { payments: 0, outboxBacklog: 0 };
  const { rows } = await client.query<{ payments: string; backlog: string }>(
    `SELECT (SELECT count(*) FROM payments) AS payments,
            (SELECT count(*) FROM outbox_events WHERE delivered_at IS NULL) AS backlog`,
  );
  return { payments: Number(rows[0]?.payments ?? 0), outboxBacklog: Number(rows[0]?.backlog ?? 0) };
}
