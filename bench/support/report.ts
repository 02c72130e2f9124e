// The run's report: the JSON written to bench/results, the table and verdicts on the console, and
// whether the error rates fail the run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { AbReport } from './ab.js';
import type { CoresUsed } from './cpu.js';
import type { LoadFigures } from './load.js';
import { round } from './numbers.js';
import type { PgbenchFigures } from './pgbench.js';
import type { PayFigures } from './servers.js';
import {
  AB_ROUNDS,
  BARE_SECONDS,
  BASELINE,
  CONNECTIONS,
  CPU_PROF_DIR,
  MAX_ERROR_RATIO,
  MSISDN_SPREAD,
  PAY_SECONDS,
  PGBENCH,
  PRICE_MINOR,
  RESULTS_DIR,
  ROOT,
  SERVER_ENV,
  SERVICE_CODE,
  SERVICE_ID,
  TARGETS,
  WARMUP_SECONDS,
} from './settings.js';

/** The fields in the order they appear in the JSON file; the measurements are absent when skipped. */
export interface Report {
  startedAt: string;
  revision: string;
  machine: ReturnType<typeof machine> & { postgres?: string | undefined };
  settings: Record<string, unknown>;
  targets: typeof TARGETS;
  pgbench?: PgbenchFigures | undefined;
  bareFastify?: LoadFigures | undefined;
  payPostgres?: PayFigures | undefined;
  payPglite?: PayFigures | undefined;
  /** BENCH_BASELINE runs: the rounds; payPostgres and payPglite are then this tree's median runs. */
  ab?: AbReport;
  ratios?: Ratios;
  targetsMet?: TargetsMet;
  finishedAt?: string;
}

/** undefined: one of the two runs was skipped. In an A/B run the first two are medians over its rounds. */
type Ratios = Record<
  'payPostgresVsPgbench' | 'payPostgresP99VsPgbench' | 'payPostgresVsBareFastify' | 'payPgliteVsBareFastify',
  number | undefined
>;
/** null: the run the target is about was skipped. */
type TargetsMet = { payVsPgbench: boolean | null; payP99: boolean | null; pglite: boolean | null };

function machine() {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cpus: list.length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    freeMemoryGiB: round(freemem() / 2 ** 30, 1),
    kernel: release(),
    node: process.version,
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
  };
}

/** The code measured: BENCH_REVISION (e.g. for an exported tree), else git's view of the working tree. */
function revision(): string {
  if (process.env.BENCH_REVISION) return process.env.BENCH_REVISION;
  const git = spawnSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], { cwd: ROOT, encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : 'unknown';
}

/** What is known before anything runs: when, which code, which machine, which settings. */
export function startReport(startedAt: Date): Report {
  return {
    startedAt: startedAt.toISOString(),
    revision: revision(),
    machine: machine(),
    settings: {
      connections: CONNECTIONS,
      paySeconds: PAY_SECONDS,
      bareSeconds: BARE_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      pgbench: PGBENCH,
      pay: { serviceId: SERVICE_ID, serviceCode: SERVICE_CODE, priceMinor: PRICE_MINOR, msisdnSpread: MSISDN_SPREAD },
      cpuProfiles: CPU_PROF_DIR ?? null,
      serverEnv: SERVER_ENV,
      baseline: BASELINE ?? null,
      abRounds: BASELINE ? AB_ROUNDS : null,
    },
    targets: TARGETS,
  };
}

/** Adds the ratios between the runs, the targets met and the finishing time. */
export function finishReport(report: Report): void {
  const { pgbench, bareFastify: bare, payPostgres: payPg, payPglite: payLite } = report;
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || !b ? undefined : round(a / b, 2));
  // An A/B run judges the medians of its rounds, each Pay run against its own round's pgbench.
  const same = report.ab?.goals.current;
  const ratios: Ratios = {
    payPostgresVsPgbench: same ? same.payVsPgbench : ratio(payPg?.perSecond, pgbench?.tps),
    payPostgresP99VsPgbench: same ? same.p99VsPgbench : ratio(payPg?.latencyMs.p99, pgbench?.latencyMs.p99),
    payPostgresVsBareFastify: ratio(payPg?.perSecond, bare?.perSecond),
    payPgliteVsBareFastify: ratio(payLite?.perSecond, bare?.perSecond),
  };
  const pglitePerSecond = same ? same.pglitePerSecond : payLite?.perSecond;
  report.ratios = ratios;
  report.targetsMet = {
    payVsPgbench: ratios.payPostgresVsPgbench === undefined ? null : ratios.payPostgresVsPgbench >= TARGETS.payVsPgbench,
    payP99: ratios.payPostgresP99VsPgbench === undefined ? null : ratios.payPostgresP99VsPgbench <= TARGETS.payP99VsPgbench,
    pglite: pglitePerSecond === undefined ? null : pglitePerSecond >= TARGETS.pgliteMinPerSecond,
  };
  report.finishedAt = new Date().toISOString();
}

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

const cores = (c?: CoresUsed) => (c ? `${c.server}/${c.postgres}/${c.loadGenerator}/${c.other}` : '');

/** CPU milliseconds per operation, from the cores the server, PostgreSQL and the generator used. */
const cpuPerOp = (c: CoresUsed | undefined, perSecond: number) =>
  c && perSecond > 0 ? round(((c.server + c.postgres + c.loadGenerator) / perSecond) * 1000, 2).toFixed(2) : '';

const skippedRow = (name: string) => [name, 'skipped', '', '', '', '', '', ''];

const loadRow = (name: string, f: LoadFigures | undefined, unit: string): string[] =>
  f
    ? [
        name,
        `${f.perSecond} ${unit}`,
        String(f.latencyMs.p50),
        String(f.latencyMs.p99),
        String(f.latencyMs.max),
        `${f.errors}`,
        cores(f.cores),
        cpuPerOp(f.cores, f.perSecond),
      ]
    : skippedRow(name);

const pgbenchRow = (pgbench: PgbenchFigures | undefined): string[] =>
  pgbench
    ? [
        `pgbench -N s${PGBENCH.scale} c${PGBENCH.clients} j${PGBENCH.threads}`,
        `${pgbench.tps} TPS`,
        String(pgbench.latencyMs.p50),
        String(pgbench.latencyMs.p99),
        String(pgbench.latencyMs.max),
        String(pgbench.failed ?? 0),
        cores(pgbench.cores),
        cpuPerOp(pgbench.cores, pgbench.tps),
      ]
    : skippedRow('pgbench -N');

export function printResultsTable(report: Report): void {
  console.log(
    `\nOpenDCB Pay benchmark (${String(report.revision)}) — ${CONNECTIONS} connections, ${machine().cpus} CPUs, Node ${process.version}, PostgreSQL ${report.machine.postgres}\n`,
  );
  printTable([
    ['run', 'throughput', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'cores srv/pg/gen/other', 'CPU ms/op'],
    loadRow('Pay, PostgreSQL', report.payPostgres, 'pay/s'),
    loadRow('Pay, PGlite', report.payPglite, 'pay/s'),
    loadRow('bare Fastify POST', report.bareFastify, 'req/s'),
    pgbenchRow(report.pgbench),
  ]);
  console.log('(cores: average CPU cores used during the measured window by the server process, PostgreSQL,');
  console.log(' the load generator, and everything else on the machine; CPU ms/op excludes "other")');
}

export function printVerdicts(report: Report): void {
  const { ratios, targetsMet: met, payPostgres: payPg, payPglite: payLite, ab } = report;
  const verdict = (ok: boolean | null | undefined) => (ok === null || ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED');
  // An A/B run shows the baseline's medians beside this tree's: the goals are judged on this tree's.
  const was = (value: number | undefined) => (ab ? `, baseline ${ab.baseline} ${value ?? 'n/a'}` : '');
  const pglite = ab ? ab.goals.current.pglitePerSecond : payLite?.perSecond;
  console.log(ab ? `\nGoals, medians of ${ab.rounds.length} rounds, each Pay run against its round's pgbench -N:` : '');
  console.log(
    `Pay(PG) / pgbench TPS     ${ratios?.payPostgresVsPgbench ?? 'n/a'}  (target ≥ ${TARGETS.payVsPgbench}: ${verdict(met?.payVsPgbench)}${was(ab?.goals.baseline.payVsPgbench)})`,
  );
  console.log(
    `Pay(PG) p99 / pgbench p99 ${ratios?.payPostgresP99VsPgbench ?? 'n/a'}  (target ≤ ${TARGETS.payP99VsPgbench}: ${verdict(met?.payP99)}${was(ab?.goals.baseline.p99VsPgbench)})`,
  );
  console.log(
    `Pay(PGlite)               ${pglite ?? 'n/a'} pay/s  (target ≥ ${TARGETS.pgliteMinPerSecond}: ${verdict(met?.pglite)}${was(ab?.goals.baseline.pglitePerSecond)})`,
  );
  console.log(`Pay(PG) / bare Fastify    ${ratios?.payPostgresVsBareFastify ?? 'n/a'}`);
  if (payPg?.perPayment) {
    const p = payPg.perPayment;
    console.log(
      `PostgreSQL per payment    ${p.transactions} transactions, ${p.tuplesInserted} rows inserted, ${p.tuplesUpdated} updated, ${p.walBytes} WAL bytes`,
    );
    console.log(`Outbox backlog at stop    ${payPg.outboxBacklog ?? 'n/a'} of ${payPg.paymentsRecorded ?? 'n/a'} payments' events undelivered`);
  }
  for (const f of [payPg, payLite]) printContextSwitches(f);
  for (const f of [payPg, payLite]) printBatches(f);
}

function printBatches(f: PayFigures | undefined): void {
  if (!f) return;
  const b = f.reservationBatches;
  console.log(`Pay(${f.database}) batches     ${b.meanItems} payments per reservation statement (${b.statements} statements), ${b.perItem} item by item, ${b.fallbacks} fell back`);
}

function printContextSwitches(f: PayFigures | undefined): void {
  const c = f?.cores;
  if (!f || !c || f.perSecond === 0) return;
  const perPay = (n: number) => round(n / f.perSecond, 2);
  console.log(
    `Pay(${f.database}) event loop  ${perPay(c.serverSwitchesPerSecond.voluntary)} voluntary, ${perPay(c.serverSwitchesPerSecond.involuntary)} involuntary context switches per payment`,
  );
}

export function writeResults(report: Report, startedAt: Date): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `pay-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nraw figures: ${file}`);
}

/** Reports the errors of each run; true when a run's error ratio fails the benchmark. */
export function checkErrors(report: Report): boolean {
  let failed = false;
  const abRuns = (report.ab?.rounds ?? []).flatMap((r) =>
    [r.postgres, r.pglite].flatMap((pair) => (pair ? [pair.baseline, pair.current] : [])),
  );
  const runs: [string, LoadFigures | undefined][] = abRuns.length
    ? abRuns.map((f) => [`Pay (${f.database}, ${f.server})`, f])
    : [
        ['Pay (PostgreSQL)', report.payPostgres],
        ['Pay (PGlite)', report.payPglite],
      ];
  for (const [name, f] of [...runs, ['bare Fastify', report.bareFastify] as const]) {
    if (f && f.errorRatio > MAX_ERROR_RATIO) {
      failed = true;
      console.error(
        `\nFAILED: ${name}: ${f.errors} errors (${round(f.errorRatio * 100, 2)}% > ${MAX_ERROR_RATIO * 100}%), status codes ${JSON.stringify(f.statusCodes)}`,
      );
      for (const sample of f.errorSamples) console.error(`  ${sample}`);
    } else if (f && f.errors > 0) {
      console.warn(`warning: ${name}: ${f.errors} errors, status codes ${JSON.stringify(f.statusCodes)}; ${f.errorSamples.join(' | ')}`);
    }
  }
  if (report.pgbench?.failed) console.warn(`warning: pgbench reported ${report.pgbench.failed} failed transactions`);
  return failed;
}
