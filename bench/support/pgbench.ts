// pgbench -N: the database's own ceiling for small write transactions, the reference for Pay on
// PostgreSQL.
import { existsSync, readdirSync } from 'node:fs';
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
  transactions: number | null;
  failed: number | null;
  cores: CoresUsed;
}

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

export async function runPgbench(url: string): Promise<PgbenchFigures> {
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
  const cores = await coresDuringRun(child, Number(new URL(url).port));
  const code = await child.exited;
  const output = child.output.join('\n');
  if (code !== 0) throw new Error(`pgbench exited with ${code}:\n${output}`);
  return { ...PGBENCH, ...parseOutput(output), cores };
}

/** CPU is sampled inside the run: pgbench and its backends are gone once it has finished. */
async function coresDuringRun(child: Child, pgPort: number): Promise<CoresUsed> {
  await sleep(1_500);
  const before = sampleCpu(undefined, pgPort, child.proc.pid);
  await sleep((PGBENCH.seconds - 2.5) * 1000);
  return coresUsed(before, sampleCpu(undefined, pgPort, child.proc.pid));
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
