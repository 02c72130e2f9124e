// pgbench -N: the database's own ceiling for small write transactions, the reference for Pay on
// PostgreSQL. Its latency percentiles come from its per-transaction log (-l), so that Pay's p99
// can be compared with the database's own p99 under the same 32 clients.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CoresUsed, coresUsed, sampleCpu } from './cpu.js';
import { checkpoint } from './database.js';
import { round } from './numbers.js';
import { type Child, runToCompletion, sleep, startChild } from './processes.js';
import { PGBENCH } from './settings.js';

export interface PgbenchFigures {
  scale: number;
  clients: number;
  threads: number;
  seconds: number;
  tps: number;
  latencyAverageMs: number | null;
  /** From the per-transaction log: every transaction of the run, connection set-up excluded. */
  latencyMs: { p50: number; p99: number; max: number };
  transactions: number | null;
  failed: number | null;
  cores: CoresUsed;
}

/** Most log lines read: 15 s at 10,000 TPS is 150,000; beyond the bound the run is refused. */
const MAX_LOGGED_TRANSACTIONS = 2_000_000;

/** The newest PostgreSQL installation's bin directory that has pgbench. */
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

/** pgbench -i: once per database; the A/B rounds run -N on it again and again. */
export async function initPgbench(url: string): Promise<void> {
  console.log(`pgbench: initialising scale ${PGBENCH.scale} …`);
  await runToCompletion('pgbench -i', join(pgBinDir(), 'pgbench'), ['-i', '-s', String(PGBENCH.scale), '-q', url]);
}

export async function runPgbench(url: string, seconds: number = PGBENCH.seconds): Promise<PgbenchFigures> {
  assertSeconds(seconds);
  await checkpoint(url);
  console.log(`pgbench: -N -c ${PGBENCH.clients} -j ${PGBENCH.threads} -T ${seconds} -l …`);
  const logDir = mkdtempSync(join(tmpdir(), 'opendcb-bench-pgbench-'));
  try {
    const child = startChild('pgbench', join(pgBinDir(), 'pgbench'), [
      '-N',
      '-c',
      String(PGBENCH.clients),
      '-j',
      String(PGBENCH.threads),
      '-T',
      String(seconds),
      '-l',
      `--log-prefix=${join(logDir, 'pgbench_log')}`,
      url,
    ]);
    const cores = await coresDuringRun(child, Number(new URL(url).port), seconds);
    const code = await child.exited;
    const output = child.output.join('\n');
    if (code !== 0) throw new Error(`pgbench exited with ${code}:\n${output}`);
    return { ...PGBENCH, seconds, ...parseOutput(output), latencyMs: loggedLatencies(logDir), cores };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

function assertSeconds(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 4) throw new Error(`pgbench: a run of ${seconds} s is too short to sample its CPU`);
}

/** CPU is sampled inside the run: pgbench and its backends are gone once it has finished. */
async function coresDuringRun(child: Child, pgPort: number, seconds: number): Promise<CoresUsed> {
  await sleep(1_500);
  const before = sampleCpu(undefined, pgPort, child.proc.pid);
  await sleep((seconds - 2.5) * 1000);
  return coresUsed(before, sampleCpu(undefined, pgPort, child.proc.pid));
}

/**
 * Percentiles of the per-transaction log: one file per thread, each line
 * `client_id transaction_no latency_us script_no epoch_s epoch_us …`. A failed transaction
 * (PostgreSQL 15: "failed" in the latency field) has no latency and is left out.
 */
function loggedLatencies(logDir: string): PgbenchFigures['latencyMs'] {
  const latenciesUs: number[] = [];
  for (const file of readdirSync(logDir)) {
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      const latencyUs = Number(line.split(' ')[2]);
      if (Number.isFinite(latencyUs) && latencyUs >= 0) latenciesUs.push(latencyUs);
      if (latenciesUs.length > MAX_LOGGED_TRANSACTIONS) throw new Error(`pgbench: more than ${MAX_LOGGED_TRANSACTIONS} logged transactions`);
    }
  }
  if (latenciesUs.length === 0) throw new Error('pgbench: the per-transaction log is empty');
  latenciesUs.sort((a, b) => a - b);
  const percentileMs = (p: number) => round((latenciesUs[Math.min(latenciesUs.length - 1, Math.ceil(p * latenciesUs.length) - 1)] ?? 0) / 1000, 2);
  return { p50: percentileMs(0.5), p99: percentileMs(0.99), max: percentileMs(1) };
}

function parseOutput(output: string): Pick<PgbenchFigures, 'tps' | 'latencyAverageMs' | 'transactions' | 'failed'> {
  // PostgreSQL 14+: "(without initial connection time)"; before: "(excluding connections establishing)".
  const tps = /tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(output)?.[1];
  if (!tps) throw new Error(`could not find TPS in pgbench output:\n${output}`);
  const number = (re: RegExp) => {
    const match = re.exec(output)?.[1];
    return match === undefined ? null : Number(match);
  };
  return {
    tps: round(Number(tps), 0),
    latencyAverageMs: number(/latency average = ([\d.]+) ms/),
    transactions: number(/number of transactions actually processed: (\d+)/),
    failed: number(/number of failed transactions: (\d+)/),
  };
}
