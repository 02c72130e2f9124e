// What a Pay benchmark run measures and how long: the environment knobs, the fixed settings
// and the targets, read once when the benchmark starts. See docs/performance.md.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A/B: a git revision to measure against in the same run (bench/support/baseline.ts), in
// BENCH_AB_ROUNDS rounds that alternate which build goes first.
export const BASELINE = process.env.BENCH_BASELINE || undefined;
export const AB_ROUNDS = positiveInt('BENCH_AB_ROUNDS', 3);
export const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 32);
// An A/B round pairs each Pay run with a pgbench run of the same length: 10 s pairs, as the
// issue's goals are stated; a single run measures 15 s.
export const PAY_SECONDS = positiveInt('BENCH_PAY_SECONDS', BASELINE ? 10 : 15);
export const BARE_SECONDS = 10;
// PGlite needs about 4 s before its latencies settle (JIT, plan caches); PostgreSQL less.
export const WARMUP_SECONDS = 5;
export const PGBENCH = { scale: 10, clients: 32, threads: 2, seconds: 15 } as const;
export const MAX_ERROR_RATIO = 0.005;
export const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
export const CPU_PROF_DIR = process.env.BENCH_CPU_PROF || undefined;
// Extra environment for the OpenDCB server children, e.g. 'WORKERS=false DATABASE_POOL_SIZE=10'.
export const SERVER_ENV: Record<string, string> = parseServerEnv(process.env.BENCH_SERVER_ENV ?? '');

// The demo Direct Payment service seeded by `serve` outside production.
export const SERVICE_ID = 1000;
export const AUTHORIZATION = `Basic ${Buffer.from('demo:demo-password').toString('base64')}`;
export const SERVICE_CODE = '10002'; // Food and drink - Physical goods: 100–50,000 øre
export const PRICE_MINOR = 100;
// +4741000000 … +4741049999: Telia Norway, outside the sandbox blocks, so the default profile
// (postpaid, 500,000 øre a month). Round robin: a number pays once per MSISDN_SPREAD requests,
// so a run stays far below 5,000 payments (the monthly limit at 100 øre) per number.
export const MSISDN_SPREAD = 50_000;

// Issue 10's goals, same run, 32 clients: Pay at least 0.90 of pgbench -N TPS, Pay's p99 no
// higher than pgbench -N's own p99, PGlite at least 1,200 Pay/s.
export const TARGETS = { payVsPgbench: 0.9, payP99VsPgbench: 1, pgliteMinPerSecond: 1200 } as const;

// This file runs as dist/bench/support/settings.js: three levels below the repository root.
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');
export const BARE = join(ROOT, 'dist', 'bench', 'bare-fastify.js');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** 'NAME=value NAME2=value2' → { NAME: 'value', NAME2: 'value2' }. */
function parseServerEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        if (at <= 0) throw new Error(`BENCH_SERVER_ENV: expected NAME=value, got ${pair}`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
  );
}
