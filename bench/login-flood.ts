// Login flood benchmark: `npm run bench:login`. See docs/performance.md ("Logins under a flood").
//
// Does a flood of bad logins starve a merchant's Pays? One OpenDCB server on a throwaway
// PostgreSQL; the merchant sends Pays with its (verified, remembered) credential while, in
// alternate rounds, a flood of junk usernames from many client addresses (X-Forwarded-For,
// with TRUST_PROXY=127.0.0.1) hammers the same server. Each round pair measures the
// merchant's latency alone and under the flood, in one run, so the noisy host affects both.
// Knobs: BENCH_LOGIN_ROUNDS (3), BENCH_LOGIN_SECONDS (8), BENCH_LOGIN_MERCHANT (16 connections),
// BENCH_LOGIN_FLOOD (30 connections).
import autocannon from 'autocannon';
import { createDatabase, startPostgres } from '../test/support/postgres.js';
import { payRequests } from './support/load.js';
import { round } from './support/numbers.js';
import { cleanup, freePort, onCleanup, startChild, stopChild, waitFor } from './support/processes.js';
import { CLI, SERVICE_ID } from './support/settings.js';

const ROUNDS = positive('BENCH_LOGIN_ROUNDS', 3);
const SECONDS = positive('BENCH_LOGIN_SECONDS', 8);
const MERCHANT_CONNECTIONS = positive('BENCH_LOGIN_MERCHANT', 16);
const FLOOD_CONNECTIONS = positive('BENCH_LOGIN_FLOOD', 30);

interface Latency {
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
}

interface FloodFigures {
  perSecond: number;
  answers: Record<string, number>;
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

function latencyOf(result: autocannon.Result): Latency {
  return {
    perSecond: round(result['2xx'] / result.duration, 0),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/** Junk usernames from 64,000 client addresses: no per-source budget holds them back, only the bounded hashing does. */
function floodRequests(answers: Record<string, number>): autocannon.Request[] {
  let next = 0;
  return [
    {
      method: 'GET',
      path: `/RestV1.svc/service/${SERVICE_ID}/pay/nothing`,
      setupRequest(request) {
        const i = next++;
        const authorization = `Basic ${Buffer.from(`junk-${i}:guess-${i}`).toString('base64')}`;
        const forwardedFor = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        return { ...request, headers: { authorization, 'x-forwarded-for': forwardedFor } };
      },
      onResponse(status, body) {
        const description = /"Description":"([^"]*)"/.exec(body)?.[1] ?? '';
        const key = `${status} ${description}`;
        answers[key] = (answers[key] ?? 0) + 1;
      },
    },
  ];
}

async function round_(url: string, tag: string, flood: boolean): Promise<{ merchant: Latency; flood?: FloodFigures }> {
  const merchant = autocannon({ url, connections: MERCHANT_CONNECTIONS, duration: SECONDS, requests: payRequests(tag, []) });
  if (!flood) return { merchant: latencyOf(await merchant) };
  const answers: Record<string, number> = {};
  const flooding = autocannon({ url, connections: FLOOD_CONNECTIONS, duration: SECONDS, requests: floodRequests(answers) });
  const [merchantResult, floodResult] = await Promise.all([merchant, flooding]);
  return { merchant: latencyOf(merchantResult), flood: { perSecond: round(floodResult.latency.totalCount / floodResult.duration, 0), answers } };
}

async function main(): Promise<void> {
  console.log('starting PostgreSQL …');
  const postgres = await startPostgres();
  onCleanup(() => postgres.stop());
  const databaseUrl = await createDatabase(postgres.url, 'bench_login');
  const port = await freePort();
  const server = startChild('opendcb', process.execPath, [CLI, 'serve'], {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TRUST_PROXY: '127.0.0.1',
    NODE_ENV: 'development',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(server, `${url}/healthz`);
    console.log('warm-up …');
    await autocannon({ url, connections: MERCHANT_CONNECTIONS, duration: 3, requests: payRequests('login-warm', []) });
    const rows: { round: number; alone: Latency; flooded: Latency; flood: FloodFigures }[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const alone = await round_(url, `login-a${r}`, false);
      const flooded = await round_(url, `login-b${r}`, true);
      const flood = flooded.flood as FloodFigures;
      rows.push({ round: r, alone: alone.merchant, flooded: flooded.merchant, flood });
      console.log(
        `round ${r}: merchant alone ${alone.merchant.perSecond} pay/s p90 ${alone.merchant.p90} ms p99 ${alone.merchant.p99} ms | ` +
          `under the flood ${flooded.merchant.perSecond} pay/s p90 ${flooded.merchant.p90} ms p99 ${flooded.merchant.p99} ms ` +
          `(errors ${flooded.merchant.errors}) | flood ${flood.perSecond} req/s`,
      );
      console.log(`  flood answers: ${JSON.stringify(flood.answers)}`);
    }
    const ratio = (pick: (l: Latency) => number) => rows.map((row) => round(pick(row.flooded) / pick(row.alone), 2));
    console.log(`p90 under the flood / alone, per round: ${ratio((l) => l.p90).join(', ')}`);
    console.log(`throughput under the flood / alone, per round: ${ratio((l) => l.perSecond).join(', ')}`);
  } finally {
    await stopChild(server);
  }
}

try {
  await main();
} catch (error) {
  console.error('\nbenchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
