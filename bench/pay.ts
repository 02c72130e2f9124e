// Pay throughput benchmark: `npm run bench:pay`. See docs/performance.md.
//
// One run measures, on one machine and one throwaway PostgreSQL cluster:
//   1. pgbench -N (the database's own ceiling for small write transactions),
//   2. a bare Fastify POST route (the HTTP stack's ceiling),
//   3. Strex REST Pay against OpenDCB on PostgreSQL,
//   4. Strex REST Pay against OpenDCB on embedded PGlite,
// and prints a table plus bench/results/pay-<timestamp>.json.
//
// Servers run as child processes so the load generator does not share their event loop.
// Environment knobs (all optional): BENCH_PAY_SECONDS, BENCH_CONNECTIONS, BENCH_CPU_PROF=<dir>
// (adds --cpu-prof to the OpenDCB server children), BENCH_SKIP=pgbench,bare,pg,pglite.
import autocannon from 'autocannon';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, freemem, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase, type PostgresHandle, startPostgres } from '../test/support/postgres.js';

const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 32);
const PAY_SECONDS = positiveInt('BENCH_PAY_SECONDS', 15);
const BARE_SECONDS = 10;
// PGlite needs about 4 s before its latencies settle (JIT, plan caches); PostgreSQL less.
const WARMUP_SECONDS = 5;
const PGBENCH = { scale: 10, clients: 32, threads: 2, seconds: 15 } as const;
const MAX_ERROR_RATIO = 0.005;
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF || undefined;
// Extra environment for the OpenDCB server children, e.g. 'WORKERS=false DATABASE_POOL_SIZE=10'.
const SERVER_ENV: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_SERVER_ENV ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`BENCH_SERVER_ENV: expected NAME=value, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
);

// The demo Direct Payment service seeded by `serve` outside production.
const SERVICE_ID = 1000;
const AUTHORIZATION = `Basic ${Buffer.from('demo:demo-password').toString('base64')}`;
const SERVICE_CODE = '10002'; // Food and drink - Physical goods: 100–50,000 øre
const PRICE_MINOR = 100;
// +4741000000 … +4741049999: Telia Norway, outside the sandbox blocks, so the default profile
// (postpaid, 500,000 øre a month). Round robin: a number pays once per MSISDN_SPREAD requests,
// so a run stays far below 5,000 payments (the monthly limit at 100 øre) per number.
const MSISDN_SPREAD = 50_000;

const TARGETS = { payVsPgbench: 0.5, payP99Ms: 25, pgliteMinPerSecond: 1000 } as const;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const BARE = join(ROOT, 'dist', 'bench', 'bare-fastify.js');
const RESULTS_DIR = join(ROOT, 'bench', 'results');

// ---------------------------------------------------------------------------------------------
// Child processes and cleanup

interface Child {
  name: string;
  proc: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

const children = new Set<Child>();
const cleanups: (() => Promise<void>)[] = [];

function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    proc.once('error', (error) => {
      output.push(String(error));
      resolve(-1);
    });
  });
  const child: Child = { name, proc, output, exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

async function cleanup(): Promise<void> {
  for (const child of [...children]) await stopChild(child, 5_000).catch(() => {});
  while (cleanups.length > 0) await cleanups.pop()?.().catch((error: unknown) => console.error('cleanup failed:', error));
}

// Last resort: whatever still runs dies with us.
process.on('exit', () => {
  for (const child of children) child.proc.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function runToCompletion(name: string, command: string, args: string[]): Promise<string> {
  const child = startChild(name, command, args);
  const code = await child.exited;
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${child.output.slice(-30).join('\n')}`);
  return child.output.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited early:\n${child.output.slice(-30).join('\n')}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not answer 200 on ${url} within ${timeoutMs} ms:\n${child.output.slice(-30).join('\n')}`);
}

function pgBinDir(): string {
  const base = '/usr/lib/postgresql';
  const version = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'pgbench')))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))[0]
    : undefined;
  if (!version) throw new Error(`pgbench not found under ${base}/*/bin (it ships with the PostgreSQL server package)`);
  return join(base, version, 'bin');
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc: who used the two cores during a run (the machine is shared).

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function procCpuSeconds(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime = field 14, stime 15, cutime 16, cstime 17.
    const ticks = Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The postmaster listening on port and its live children (backends, checkpointer, walwriter …). */
function postgresPids(port: number): number[] {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  let postmaster: number | undefined;
  for (const pid of all) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const p = argv.indexOf('-p');
      if (argv[0]?.endsWith('postgres') && p >= 0 && argv[p + 1] === String(port)) postmaster = Number(pid);
    } catch {
      /* gone */
    }
  }
  if (postmaster === undefined) return [];
  const kids = all.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
    } catch {
      return false;
    }
  });
  return [postmaster, ...kids.map(Number)];
}

function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number) as number[];
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy: busy / TICKS_PER_SECOND, total: (busy + (idle ?? 0) + (iowait ?? 0)) / TICKS_PER_SECOND };
}

interface CpuSample {
  at: number;
  server: number;
  serverSwitches: { voluntary: number; involuntary: number };
  postgres: Map<number, number>;
  generator: number;
  machine: { busy: number; total: number };
}

/** Context switches of a process's main thread (for Node: the event loop). */
function contextSwitches(pid: number | undefined): { voluntary: number; involuntary: number } {
  if (pid === undefined) return { voluntary: 0, involuntary: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { voluntary: field('voluntary_ctxt_switches'), involuntary: field('nonvoluntary_ctxt_switches') };
  } catch {
    return { voluntary: 0, involuntary: 0 };
  }
}

/**
 * serverPid: the process under test; pgPort: the PostgreSQL cluster to account for;
 * generatorPid: the load generator when it is not this process (pgbench).
 */
function sampleCpu(serverPid: number | undefined, pgPort: number | undefined, generatorPid?: number): CpuSample {
  const postgres = new Map<number, number>();
  if (pgPort !== undefined) {
    const [postmaster, ...kids] = postgresPids(pgPort);
    if (postmaster !== undefined) postgres.set(postmaster, procCpuSeconds(postmaster, true));
    for (const pid of kids) postgres.set(pid, procCpuSeconds(pid));
  }
  const self = process.cpuUsage();
  return {
    at: performance.now(),
    server: serverPid === undefined ? 0 : procCpuSeconds(serverPid),
    serverSwitches: contextSwitches(serverPid),
    postgres,
    generator: generatorPid === undefined ? (self.user + self.system) / 1e6 : procCpuSeconds(generatorPid),
    machine: machineCpu(),
  };
}

/** Cores used on average between two samples (1.0 = one core fully busy). */
interface CoresUsed {
  server: number;
  postgres: number;
  loadGenerator: number;
  /** Everything else on the machine: other people's work, the kernel's own threads. */
  other: number;
  machineBusy: number;
  /** Context switches per second of the server's main thread (the event loop). */
  serverSwitchesPerSecond: { voluntary: number; involuntary: number };
}

function coresUsed(before: CpuSample, after: CpuSample): CoresUsed {
  const wall = (after.at - before.at) / 1000;
  let pgSeconds = 0;
  // A backend that exited during the run is in the postmaster's cutime; one that started counts from 0.
  for (const [pid, seconds] of after.postgres) pgSeconds += seconds - (before.postgres.get(pid) ?? 0);
  const server = (after.server - before.server) / wall;
  const postgres = pgSeconds / wall;
  const loadGenerator = (after.generator - before.generator) / wall;
  const machineBusy = (after.machine.busy - before.machine.busy) / wall;
  return {
    server: round(server, 2),
    postgres: round(postgres, 2),
    loadGenerator: round(loadGenerator, 2),
    other: round(Math.max(0, machineBusy - server - postgres - loadGenerator), 2),
    machineBusy: round(machineBusy, 2),
    serverSwitchesPerSecond: {
      voluntary: round((after.serverSwitches.voluntary - before.serverSwitches.voluntary) / wall, 0),
      involuntary: round((after.serverSwitches.involuntary - before.serverSwitches.involuntary) / wall, 0),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Load runs

interface LoadFigures {
  seconds: number;
  connections: number;
  completed: number;
  ok: number;
  perSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  errorRatio: number;
  statusCodes: Record<string, number>;
  errorSamples: string[];
  cores?: CoresUsed;
}

function figures(result: autocannon.Result, errorSamples: string[]): LoadFigures {
  const errors = result.non2xx + result.errors + result.timeouts;
  const attempted = result['2xx'] + errors;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats)) statusCodes[code] = stats.count;
  return {
    seconds: result.duration,
    connections: result.connections,
    completed: result.latency.totalCount,
    ok: result['2xx'],
    perSecond: round(result['2xx'] / result.duration, 0),
    latencyMs: {
      mean: round(result.latency.mean, 2),
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors,
    errorRatio: attempted === 0 ? 1 : errors / attempted,
    statusCodes,
    errorSamples,
  };
}

async function load(url: string, seconds: number, requests: autocannon.Request[], errorSamples: string[] = []): Promise<LoadFigures> {
  const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, timeout: 10, requests });
  return figures(await instance, errorSamples);
}

/** Strex REST Pay requests: every one a new ClientReference, MSISDNs round robin. */
function payRequests(tag: string, errorSamples: string[]): autocannon.Request[] {
  let next = 0;
  return [
    {
      method: 'POST',
      path: `/RestV1.svc/service/${SERVICE_ID}/pay`,
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      setupRequest(request) {
        const i = next++;
        const body = {
          PaymentDetails: {
            Msisdn: `+4741${String(i % MSISDN_SPREAD).padStart(6, '0')}`,
            Price: PRICE_MINOR,
            ServiceCode: SERVICE_CODE,
            ClientReference: `${tag}-${i}`,
            SecurityLevel: 1,
          },
        };
        return { ...request, body: JSON.stringify(body) };
      },
      onResponse(status, body) {
        if ((status < 200 || status >= 300) && errorSamples.length < 5) errorSamples.push(`${status} ${body.slice(0, 300)}`);
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The four measurements

interface PgbenchFigures {
  scale: number;
  clients: number;
  threads: number;
  seconds: number;
  tps: number;
  latencyAverageMs: number | null;
  transactions: number | null;
  failed: number | null;
  cores: CoresUsed;
}

async function runPgbench(url: string): Promise<PgbenchFigures> {
  const pgbench = join(pgBinDir(), 'pgbench');
  console.log(`pgbench: initialising scale ${PGBENCH.scale} …`);
  await runToCompletion('pgbench -i', pgbench, ['-i', '-s', String(PGBENCH.scale), '-q', url]);
  await checkpoint(url);
  console.log(`pgbench: -N -c ${PGBENCH.clients} -j ${PGBENCH.threads} -T ${PGBENCH.seconds} …`);
  const child = startChild('pgbench', pgbench, [
    '-N',
    '-c',
    String(PGBENCH.clients),
    '-j',
    String(PGBENCH.threads),
    '-T',
    String(PGBENCH.seconds),
    url,
  ]);
  // CPU is sampled inside the run (pgbench and its backends are gone once it has finished).
  const pgPort = Number(new URL(url).port);
  await sleep(1_500);
  const before = sampleCpu(undefined, pgPort, child.proc.pid);
  await sleep((PGBENCH.seconds - 2.5) * 1000);
  const cores = coresUsed(before, sampleCpu(undefined, pgPort, child.proc.pid));
  const code = await child.exited;
  const output = child.output.join('\n');
  if (code !== 0) throw new Error(`pgbench exited with ${code}:\n${output}`);
  // PostgreSQL 14+: "(without initial connection time)"; before: "(excluding connections establishing)".
  const tps = /tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(output)?.[1];
  if (!tps) throw new Error(`could not find TPS in pgbench output:\n${output}`);
  const number = (re: RegExp) => {
    const match = re.exec(output)?.[1];
    return match === undefined ? null : Number(match);
  };
  return {
    ...PGBENCH,
    tps: round(Number(tps), 0),
    latencyAverageMs: number(/latency average = ([\d.]+) ms/),
    transactions: number(/number of transactions actually processed: (\d+)/),
    failed: number(/number of failed transactions: (\d+)/),
    cores,
  };
}

async function runBareFastify(): Promise<LoadFigures> {
  const port = await freePort();
  const child = startChild('bare fastify', process.execPath, [BARE], { ...process.env, PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${port}`;
    // No GET route: a 404 answer also proves it listens.
    await waitForAny(child, url);
    const errorSamples: string[] = [];
    const requests = payRequests('bare', errorSamples).map((r) => ({ ...r, path: '/pay' }));
    await load(url, 2, requests);
    const before = sampleCpu(child.proc.pid, undefined);
    const result = await load(url, BARE_SECONDS, requests, errorSamples);
    result.cores = coresUsed(before, sampleCpu(child.proc.pid, undefined));
    return result;
  } finally {
    await stopChild(child);
  }
}

async function waitForAny(child: Child, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited early:\n${child.output.join('\n')}`);
    if (await fetch(url).then(() => true, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${child.name} did not listen on ${url}`);
}

interface PayFigures extends LoadFigures {
  database: 'postgres' | 'pglite';
  warmup: LoadFigures;
  /** PostgreSQL only: what the database did per recorded payment (server lifetime, incl. warm-up). */
  perPayment?: { transactions: number; tuplesInserted: number; tuplesUpdated: number; walBytes: number };
  paymentsRecorded?: number;
  /** PostgreSQL only: outbox events still undelivered when the server stopped (did the worker keep up?). */
  outboxBacklog?: number;
}

async function runPay(database: 'postgres' | 'pglite', env: NodeJS.ProcessEnv, pgInfo?: { adminUrl: string; appUrl: string }): Promise<PayFigures> {
  const port = await freePort();
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF_DIR, database)] : [];
  const statsBefore = pgInfo ? await databaseStats(pgInfo.adminUrl, pgInfo.appUrl) : undefined;
  const child = startChild(`opendcb (${database})`, process.execPath, [...nodeArgs, CLI, 'serve'], {
    ...process.env,
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    WORKERS: 'true',
    NODE_ENV: 'development',
    ...SERVER_ENV,
  });
  let stopped = false;
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(child, `${url}/healthz`);
    const tag = `bench-${database}-${Date.now().toString(36)}`;
    const warmupErrors: string[] = [];
    console.log(`pay (${database}): warm-up ${WARMUP_SECONDS} s …`);
    const warmup = await load(url, WARMUP_SECONDS, payRequests(`${tag}-w`, warmupErrors), warmupErrors);
    if (warmup.ok === 0) throw new Error(`no Pay succeeded during warm-up: ${warmupErrors.join(' | ')}`);
    if (pgInfo) await checkpoint(pgInfo.adminUrl);
    console.log(`pay (${database}): ${CONNECTIONS} connections, ${PAY_SECONDS} s …`);
    const errorSamples: string[] = [];
    const pgPort = pgInfo ? Number(new URL(pgInfo.adminUrl).port) : undefined;
    const before = sampleCpu(child.proc.pid, pgPort);
    const result = await load(url, PAY_SECONDS, payRequests(tag, errorSamples), errorSamples);
    result.cores = coresUsed(before, sampleCpu(child.proc.pid, pgPort));
    const out: PayFigures = { ...result, database, warmup };
    if (pgInfo && statsBefore) {
      // Backends flush their statistics when they exit: stop the server first.
      await stopChild(child);
      stopped = true;
      await sleep(500);
      const after = await databaseStats(pgInfo.adminUrl, pgInfo.appUrl);
      const recorded = after.payments;
      out.paymentsRecorded = recorded;
      out.outboxBacklog = after.outboxBacklog;
      if (recorded > 0) {
        out.perPayment = {
          transactions: round((after.transactions - statsBefore.transactions) / recorded, 2),
          tuplesInserted: round((after.inserted - statsBefore.inserted) / recorded, 2),
          tuplesUpdated: round((after.updated - statsBefore.updated) / recorded, 2),
          walBytes: round((after.walLsn - statsBefore.walLsn) / recorded, 0),
        };
      }
      const expected = warmup.ok + result.ok;
      if (recorded < expected) throw new Error(`only ${recorded} payments in the database, but ${expected} Pay requests answered 2xx`);
    }
    return out;
  } catch (error) {
    console.error(`${child.name} output (last lines):\n${child.output.slice(-20).join('\n')}`);
    throw error;
  } finally {
    if (!stopped) await stopChild(child);
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function checkpoint(url: string): Promise<void> {
  await withClient(url, (client) => client.query('CHECKPOINT'));
}

async function databaseStats(adminUrl: string, appUrl: string) {
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
  const counts = await withClient(appUrl, async (client) => {
    const exists = await client.query(`SELECT to_regclass('payments') IS NOT NULL AS present`);
    if (!exists.rows[0]?.present) return { payments: 0, outboxBacklog: 0 };
    const { rows } = await client.query<{ payments: string; backlog: string }>(
      `SELECT (SELECT count(*) FROM payments) AS payments,
              (SELECT count(*) FROM outbox_events WHERE delivered_at IS NULL) AS backlog`,
    );
    return { payments: Number(rows[0]?.payments ?? 0), outboxBacklog: Number(rows[0]?.backlog ?? 0) };
  });
  return {
    transactions: Number(stats?.xacts ?? 0),
    inserted: Number(stats?.inserted ?? 0),
    updated: Number(stats?.updated ?? 0),
    walLsn: Number(stats?.lsn ?? 0),
    ...counts,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

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

async function main(): Promise<number> {
  if (!existsSync(CLI) || !existsSync(BARE)) throw new Error('build first: npm run bench:pay runs `npm run build`');
  const startedAt = new Date();
  const report: Record<string, unknown> = {
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
    },
    targets: TARGETS,
  };

  console.log('starting PostgreSQL …');
  const postgres: PostgresHandle = await startPostgres();
  cleanups.push(() => postgres.stop());
  const pgVersion = await withClient(postgres.url, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version);
  (report.machine as Record<string, unknown>).postgres = pgVersion;
  const appUrl = await createDatabase(postgres.url, 'bench_app');
  const pgbenchUrl = await createDatabase(postgres.url, 'bench_pgbench');

  const pgbench = SKIP.has('pgbench') ? undefined : await runPgbench(pgbenchUrl);
  report.pgbench = pgbench;
  if (pgbench) console.log(`pgbench: ${pgbench.tps} TPS`);

  let bare: LoadFigures | undefined;
  if (!SKIP.has('bare')) {
    console.log(`bare Fastify: ${CONNECTIONS} connections, ${BARE_SECONDS} s …`);
    bare = await runBareFastify();
    report.bareFastify = bare;
    console.log(`bare Fastify: ${bare.perSecond} req/s`);
  }

  let payPg: PayFigures | undefined;
  if (!SKIP.has('pg')) {
    payPg = await runPay('postgres', { DATABASE_URL: appUrl }, { adminUrl: postgres.url, appUrl });
    report.payPostgres = payPg;
    console.log(`pay (postgres): ${payPg.perSecond} payments/s, p99 ${payPg.latencyMs.p99} ms`);
  }

  let payLite: PayFigures | undefined;
  if (!SKIP.has('pglite')) {
    const dataDir = mkdtempSync(join(tmpdir(), 'opendcb-bench-pglite-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    payLite = await runPay('pglite', { DATABASE_URL: '', DATA_DIR: dataDir });
    report.payPglite = payLite;
    console.log(`pay (pglite): ${payLite.perSecond} payments/s, p99 ${payLite.latencyMs.p99} ms`);
  }

  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || !b ? undefined : round(a / b, 2));
  const ratios = {
    payPostgresVsPgbench: ratio(payPg?.perSecond, pgbench?.tps),
    payPostgresVsBareFastify: ratio(payPg?.perSecond, bare?.perSecond),
    payPgliteVsBareFastify: ratio(payLite?.perSecond, bare?.perSecond),
  };
  report.ratios = ratios;
  const met = {
    payVsPgbench: ratios.payPostgresVsPgbench === undefined ? null : ratios.payPostgresVsPgbench >= TARGETS.payVsPgbench,
    payP99: payPg === undefined ? null : payPg.latencyMs.p99 <= TARGETS.payP99Ms,
    pglite: payLite === undefined ? null : payLite.perSecond >= TARGETS.pgliteMinPerSecond,
  };
  report.targetsMet = met;
  report.finishedAt = new Date().toISOString();

  const cores = (c?: CoresUsed) => (c ? `${c.server}/${c.postgres}/${c.loadGenerator}/${c.other}` : '');
  const cpuPerOp = (c: CoresUsed | undefined, perSecond: number) =>
    c && perSecond > 0 ? round(((c.server + c.postgres + c.loadGenerator) / perSecond) * 1000, 2).toFixed(2) : '';
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
      : [name, 'skipped', '', '', '', '', '', ''];
  console.log(`\nOpenDCB Pay benchmark (${String(report.revision)}) — ${CONNECTIONS} connections, ${machine().cpus} CPUs, Node ${process.version}, PostgreSQL ${pgVersion}\n`);
  printTable([
    ['run', 'throughput', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'cores srv/pg/gen/other', 'CPU ms/op'],
    loadRow('Pay, PostgreSQL', payPg, 'pay/s'),
    loadRow('Pay, PGlite', payLite, 'pay/s'),
    loadRow('bare Fastify POST', bare, 'req/s'),
    pgbench
      ? [
          `pgbench -N s${PGBENCH.scale} c${PGBENCH.clients} j${PGBENCH.threads}`,
          `${pgbench.tps} TPS`,
          '',
          '',
          '',
          String(pgbench.failed ?? 0),
          cores(pgbench.cores),
          cpuPerOp(pgbench.cores, pgbench.tps),
        ]
      : ['pgbench -N', 'skipped', '', '', '', '', '', ''],
  ]);
  console.log('(cores: average CPU cores used during the measured window by the server process, PostgreSQL,');
  console.log(' the load generator, and everything else on the machine; CPU ms/op excludes "other")');
  const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : 'MISSED');
  console.log('');
  console.log(`Pay(PG) / pgbench TPS     ${ratios.payPostgresVsPgbench ?? 'n/a'}  (target ≥ ${TARGETS.payVsPgbench}: ${verdict(met.payVsPgbench)})`);
  console.log(`Pay(PG) p99               ${payPg?.latencyMs.p99 ?? 'n/a'} ms  (target ≤ ${TARGETS.payP99Ms} ms: ${verdict(met.payP99)})`);
  console.log(`Pay(PGlite)               ${payLite?.perSecond ?? 'n/a'} pay/s  (target ≥ ${TARGETS.pgliteMinPerSecond}: ${verdict(met.pglite)})`);
  console.log(`Pay(PG) / bare Fastify    ${ratios.payPostgresVsBareFastify ?? 'n/a'}`);
  if (payPg?.perPayment) {
    const p = payPg.perPayment;
    console.log(
      `PostgreSQL per payment    ${p.transactions} transactions, ${p.tuplesInserted} rows inserted, ${p.tuplesUpdated} updated, ${p.walBytes} WAL bytes`,
    );
    console.log(`Outbox backlog at stop    ${payPg.outboxBacklog ?? 'n/a'} of ${payPg.paymentsRecorded ?? 'n/a'} payments' events undelivered`);
  }
  for (const f of [payPg, payLite]) {
    const c = f?.cores;
    if (!f || !c || f.perSecond === 0) continue;
    const perPay = (n: number) => round(n / f.perSecond, 2);
    console.log(
      `Pay(${f.database}) event loop  ${perPay(c.serverSwitchesPerSecond.voluntary)} voluntary, ${perPay(c.serverSwitchesPerSecond.involuntary)} involuntary context switches per payment`,
    );
  }

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `pay-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nraw figures: ${file}`);

  let failed = false;
  for (const [name, f] of [
    ['Pay (PostgreSQL)', payPg],
    ['Pay (PGlite)', payLite],
    ['bare Fastify', bare],
  ] as const) {
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
  if (pgbench?.failed) console.warn(`warning: pgbench reported ${pgbench.failed} failed transactions`);
  return failed ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error('\nbenchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
