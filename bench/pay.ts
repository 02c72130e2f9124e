// Pay throughput benchmark: `npm run bench:pay`. See docs/performance.md.
//
// One run measures, on one machine and one throwaway PostgreSQL cluster:
//   1. pgbench -N (the database's own ceiling for small write transactions),
//   2. a bare Fastify POST route (the HTTP stack's ceiling),
//   3. Strex REST Pay against OpenDCB on PostgreSQL,
//   4. Strex REST Pay against OpenDCB on embedded PGlite,
// and prints a table plus bench/results/pay-<timestamp>.json.
//
// With BENCH_BASELINE=<git revision>, steps 3 and 4 run as A/B rounds against that revision's
// build (bench/support/ab.ts) and the ratios current/baseline are printed too.
//
// Servers run as child processes so the load generator does not share their event loop.
// Environment knobs (all optional): BENCH_BASELINE, BENCH_AB_ROUNDS, BENCH_PAY_SECONDS, BENCH_CONNECTIONS, BENCH_CPU_PROF=<dir>
// (adds --cpu-prof to the OpenDCB server children), BENCH_SKIP=pgbench,bare,pg,pglite,
// BENCH_SERVER_ENV='NAME=value …' (extra environment for those children), BENCH_REVISION.
// Settings and knobs: bench/support/settings.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, startPostgres } from '../test/support/postgres.js';
import { measureAb, medianCurrent, medianPgbench, printAb } from './support/ab.js';
import { prepareBaseline } from './support/baseline.js';
import { serverVersion } from './support/database.js';
import type { LoadFigures } from './support/load.js';
import { initPgbench, type PgbenchFigures, runPgbench } from './support/pgbench.js';
import { cleanup, onCleanup } from './support/processes.js';
import { checkErrors, finishReport, printResultsTable, printVerdicts, startReport, writeResults } from './support/report.js';
import { CURRENT, type Database, type PayFigures, runBareFastify, runPay, type Server } from './support/servers.js';
import { BARE, BARE_SECONDS, BASELINE, CLI, CONNECTIONS, PAY_SECONDS, SKIP } from './support/settings.js';

async function main(): Promise<number> {
  if (!existsSync(CLI) || !existsSync(BARE)) throw new Error('build first: npm run bench:pay runs `npm run build`');
  // Built before anything is measured: the build's CPU must not land in a measured window.
  const baseline = BASELINE ? prepareBaseline(BASELINE) : undefined;
  const startedAt = new Date();
  const report = startReport(startedAt);

  console.log('starting PostgreSQL …');
  const postgres = await startPostgres();
  onCleanup(() => postgres.stop());
  report.machine.postgres = await serverVersion(postgres.url);
  const pgbenchUrl = await createDatabase(postgres.url, 'bench_pgbench');

  if (!SKIP.has('pgbench')) await initPgbench(pgbenchUrl);
  if (!baseline) report.pgbench = await measurePgbench(pgbenchUrl);
  report.bareFastify = await measureBareFastify();
  if (baseline) {
    const measure = (database: Database, server: Server, label: string) =>
      database === 'postgres'
        ? createDatabase(postgres.url, `bench_${label}`).then((url) => measurePayOnPostgres(postgres.url, url, server))
        : measurePayOnPglite(server);
    // Each round's pgbench runs as long as its Pay runs: the pairs the goals compare.
    report.ab = await measureAb(baseline, measure, () => measurePgbench(pgbenchUrl, PAY_SECONDS));
    report.pgbench = medianPgbench(report.ab);
    report.payPostgres = medianCurrent(report.ab, 'postgres');
    report.payPglite = medianCurrent(report.ab, 'pglite');
  } else {
    report.payPostgres = await measurePayOnPostgres(postgres.url, await createDatabase(postgres.url, 'bench_app'));
    report.payPglite = await measurePayOnPglite();
  }
  finishReport(report);

  printResultsTable(report);
  printVerdicts(report);
  if (report.ab) printAb(report.ab);
  writeResults(report, startedAt);
  return checkErrors(report) ? 1 : 0;
}

async function measurePgbench(url: string, seconds?: number): Promise<PgbenchFigures | undefined> {
  if (SKIP.has('pgbench')) return undefined;
  const pgbench = await runPgbench(url, seconds);
  console.log(`pgbench: ${pgbench.tps} TPS, p99 ${pgbench.latencyMs.p99} ms`);
  return pgbench;
}

async function measureBareFastify(): Promise<LoadFigures | undefined> {
  if (SKIP.has('bare')) return undefined;
  console.log(`bare Fastify: ${CONNECTIONS} connections, ${BARE_SECONDS} s …`);
  const bare = await runBareFastify();
  console.log(`bare Fastify: ${bare.perSecond} req/s`);
  return bare;
}

async function measurePayOnPostgres(adminUrl: string, appUrl: string, server = CURRENT): Promise<PayFigures | undefined> {
  if (SKIP.has('pg')) return undefined;
  const pay = await runPay('postgres', { DATABASE_URL: appUrl }, { adminUrl, appUrl }, server);
  console.log(`pay (postgres, ${server.name}): ${pay.perSecond} payments/s, p99 ${pay.latencyMs.p99} ms`);
  return pay;
}

async function measurePayOnPglite(server = CURRENT): Promise<PayFigures | undefined> {
  if (SKIP.has('pglite')) return undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'opendcb-bench-pglite-'));
  onCleanup(async () => rmSync(dataDir, { recursive: true, force: true }));
  const pay = await runPay('pglite', { DATABASE_URL: '', DATA_DIR: dataDir }, undefined, server);
  console.log(`pay (pglite, ${server.name}): ${pay.perSecond} payments/s, p99 ${pay.latencyMs.p99} ms`);
  return pay;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error('\nbenchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
