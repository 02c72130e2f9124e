// Infomedia SendBillWithPin throughput: `npm run bench:infomedia`. See docs/performance.md.
//
// Issue 11's goal: SendBillWithPin on PostgreSQL at least 0.8 of Strex REST Pay's throughput,
// the same core charge path, measured in the same run. Each round starts a Pay server and a
// bill server on fresh databases of one throwaway cluster, warms both up, and then loads
// them in alternating slices (the host is noisy: a slow stretch falls on both).
// A bill needs a PIN: each round's PINs are generated before its load starts, one per
// subscriber (a subscriber may be sent 10 PINs an hour), and each bill request uses the next
// one, so every request bills a new subscriber once. Servers run as child processes, so
// the load generator does not share their event loop.
// Knobs: BENCH_AB_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_SLICES (5), BENCH_BILLS (bills, and
// Pays, measured per round, 10,000, split over the slices), BENCH_BILL_WARMUP (bills sent
// before them, not measured, 2,000: Pay is warmed up for 5 s), BENCH_CPU_PROF=<dir> (adds
// --cpu-prof to the servers).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDatabase, startPostgres } from '../test/support/postgres.js';
import { checkpoint, dropDatabase, vacuumAnalyze } from './support/database.js';
import type { CoresUsed } from './support/cpu.js';
import { type LoadFigures, load, loadCountingCores, payRequests } from './support/load.js';
import { median, round } from './support/numbers.js';
import { type Child, cleanup, freePort, onCleanup, startChild, stopChild, waitFor } from './support/processes.js';
import { reservationBatches, startWarmPayServer } from './support/servers.js';
import { AB_ROUNDS, CLI, CONNECTIONS, CPU_PROF_DIR } from './support/settings.js';

const BILLS = Number(process.env.BENCH_BILLS ?? 10_000);
/** Bills sent before the measured ones, as Pay has its warm-up: the server's hot path compiled, its pools and caches filled. */
const WARMUP_BILLS = Number(process.env.BENCH_BILL_WARMUP ?? 2_000);
/** Alternating Pay and bill slices a round is measured in (measureInSlices). */
const SLICES = Number(process.env.BENCH_SLICES ?? 5);
const GOAL_BILL_VS_PAY = 0.8;
const METHOD_BASE = '/V/1/6/Default.asmx';
// The demo partner (AID 100) and its once-off product 1001, 10.00 ZAR (DESIGN.md, demo data).
const CREDENTIALS = { U: 'demo', P: 'demo-password' } as const;
const PRODUCT = '1001';
const AMOUNT = '10.00';
// +27821000000 onwards: Vodacom South Africa (655-01), outside the sandbox blocks (+278255500NN),
// so the default profile bills; each subscriber gets one PIN and one bill a round.
const FIRST_SUBSCRIBER = 27_821_000_000;
const PIN_CONCURRENCY = 16;

interface BillPrepared {
  mx: string;
  pin: string;
}

/** CPU milliseconds one request cost the server, PostgreSQL and the load generator, from the cores each used. */
function cpuPerRequest(figures: LoadFigures): { server: number; postgres: number; loadGenerator: number } | null {
  const c = figures.cores;
  if (!c || figures.perSecond <= 0) return null;
  const ms = (cores: number) => round((cores / figures.perSecond) * 1000, 3);
  return { server: ms(c.server), postgres: ms(c.postgres), loadGenerator: ms(c.loadGenerator) };
}

const cpuText = (figures: LoadFigures) => {
  const cpu = cpuPerRequest(figures);
  return cpu ? `CPU ms/request server ${cpu.server} · PostgreSQL ${cpu.postgres} · load generator ${cpu.loadGenerator}` : 'CPU not counted';
};

async function main(): Promise<number> {
  if (!Number.isInteger(BILLS) || BILLS < SLICES || BILLS > 1_000_000) throw new Error(`BENCH_BILLS must be an integer ${SLICES}-1000000`);
  if (!Number.isInteger(SLICES) || SLICES < 1 || SLICES > 20) throw new Error('BENCH_SLICES must be an integer 1-20');
  if (!Number.isInteger(WARMUP_BILLS) || WARMUP_BILLS < 0 || WARMUP_BILLS > 100_000) throw new Error('BENCH_BILL_WARMUP must be an integer 0-100000');
  console.log('starting PostgreSQL …');
  const postgres = await startPostgres();
  onCleanup(() => postgres.stop());
  const pgPort = Number(new URL(postgres.url).port);
  const rounds: { pay: number; bill: number; payP99: number; billP99: number }[] = [];
  for (let round = 1; round <= AB_ROUNDS; round++) {
    const payDatabase = await createDatabase(postgres.url, `bench_pay_${round}`);
    const billDatabase = await createDatabase(postgres.url, `bench_bill_${round}`);
    const bills = await startBillServer(billDatabase, round);
    let measured: { pay: LoadFigures; bill: LoadFigures };
    let meanItems: number;
    try {
      const pay = await startWarmPayServer('postgres', { DATABASE_URL: payDatabase });
      try {
        // As a Pay run does after its warm-up: no checkpoint of the set-up in the measured slices.
        await checkpoint(postgres.url);
        measured = await measureInSlices(pay, bills, round, pgPort);
        meanItems = await bills.batches();
      } finally {
        await stopChild(pay.child);
      }
    } finally {
      await stopChild(bills.child);
    }
    // Dropped after the round: autovacuum would visit them later, in another round's slices.
    await dropDatabase(postgres.url, payDatabase);
    await dropDatabase(postgres.url, billDatabase);
    const { pay, bill } = measured;
    rounds.push({ pay: pay.perSecond, bill: bill.perSecond, payP99: pay.latencyMs.p99, billP99: bill.latencyMs.p99 });
    console.log(
      `round ${round}: Pay ${pay.perSecond}/s p99 ${pay.latencyMs.p99} ms · SendBillWithPin ${bill.perSecond}/s p99 ${bill.latencyMs.p99} ms · ratio ${round2(bill.perSecond / pay.perSecond)}`,
    );
    console.log(`  Pay: ${cpuText(pay)}\n  SendBillWithPin: ${cpuText(bill)} · ${meanItems} items a reservation statement`);
    // A bill answers HTTP 200 whatever its outcome: only a Success Conf counts as billed.
    if (bills.outcome.notBilled > 0 || bill.errors > 0 || pay.errors > 0) {
      console.error(`SendBillWithPin: ${bills.outcome.notBilled} not billed, ${bill.errors} HTTP errors: ${bill.errorSamples.join(' | ')}; Pay: ${pay.errors} errors: ${pay.errorSamples.join(' | ')}`);
      return 1;
    }
  }
  // AB_ROUNDS ≥ 1, so there is a median.
  const ratio = median(rounds.map((r) => r.bill / r.pay)) ?? Number.NaN;
  console.log(
    `\nSendBillWithPin / Pay on PostgreSQL (median of ${AB_ROUNDS}): ${round2(ratio)} throughput (goal ≥ ${GOAL_BILL_VS_PAY}: ${ratio >= GOAL_BILL_VS_PAY ? 'met' : 'missed'}), p99 ×${round2(median(rounds.map((r) => r.billP99 / r.payP99)))}`,
  );
  return 0;
}

interface BillServer {
  url: string;
  child: Child;
  /** The measured bills' subscribers and PINs, each used once. */
  prepared: BillPrepared[];
  outcome: { notBilled: number };
  /** Mean items of the reservation statements since the warm-up. */
  batches: () => Promise<number>;
}

/** A server on its own database with WARMUP_BILLS + BILLS PINs generated, their SMS sent, and the warm-up bills sent. */
async function startBillServer(databaseUrl: string, round: number): Promise<BillServer> {
  const port = await freePort();
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF_DIR, 'infomedia')] : [];
  const child = startChild('opendcb (postgres, infomedia)', process.execPath, [...nodeArgs, CLI, 'serve'], {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    WORKERS: 'true',
    NODE_ENV: 'development',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(child, `${url}/healthz`);
    const firstSubscriber = FIRST_SUBSCRIBER + round * (WARMUP_BILLS + BILLS);
    console.log(`SendBillWithPin (round ${round}): generating ${WARMUP_BILLS + BILLS} PINs …`);
    const prepared = await generatePins(url, firstSubscriber, WARMUP_BILLS + BILLS);
    await pinMessagesSent(databaseUrl);
    // The PIN generation's rows vacuumed now, not by autovacuum during the bills.
    await vacuumAnalyze(databaseUrl);
    const errorSamples: string[] = [];
    const outcome = { notBilled: 0 };
    if (WARMUP_BILLS > 0) {
      console.log(`SendBillWithPin (round ${round}): warm-up, ${WARMUP_BILLS} bills …`);
      await load(url, 0, billRequests(prepared.slice(0, WARMUP_BILLS), `r${round}w`, errorSamples, outcome), errorSamples, WARMUP_BILLS);
    }
    const before = await reservationBatches(url);
    const batches = async () => {
      const after = await reservationBatches(url);
      return Math.round((BILLS / (after.statements - before.statements)) * 10) / 10;
    };
    return { url, child, prepared: prepared.slice(WARMUP_BILLS), outcome, batches };
  } catch (error) {
    console.error(`${child.name} output (last lines):\n${child.output.slice(-20).join('\n')}`);
    await stopChild(child);
    throw error;
  }
}

/**
 * Pay and the bills in SLICES alternating slices, both servers up throughout (each idle while
 * the other is loaded): a slow stretch of the host, which moved single rounds by ±40 %, then
 * falls on both. A slice is a run of BILLS / SLICES requests of either kind, timed to its last
 * answer, so both pay the same start of a run (connections, the first batches); each PIN once.
 */
async function measureInSlices(pay: { url: string; child: Child }, bills: BillServer, round: number, pgPort: number) {
  const perSlice = Math.ceil(BILLS / SLICES);
  const payErrors: string[] = [];
  const billErrors: string[] = [];
  const paySlices: LoadFigures[] = [];
  const billSlices: LoadFigures[] = [];
  console.log(`round ${round}: ${SLICES} slices of ${perSlice} Pays and ${perSlice} bills, ${CONNECTIONS} connections …`);
  for (let slice = 0; slice < SLICES; slice++) {
    const tag = `bench-r${round}s${slice}-${Date.now().toString(36)}`;
    const part = bills.prepared.slice(slice * perSlice, (slice + 1) * perSlice);
    const payRun = async () =>
      paySlices.push(await loadCountingCores(pay.url, 0, payRequests(tag, payErrors), payErrors, pay.child.proc.pid, pgPort, part.length));
    const billRun = async () =>
      billSlices.push(
        await loadCountingCores(bills.url, 0, billRequests(part, `r${round}s${slice}`, billErrors, bills.outcome), billErrors, bills.child.proc.pid, pgPort, part.length),
      );
    if ((slice + round) % 2 === 0) {
      await billRun();
      await payRun();
    } else {
      await payRun();
      await billRun();
    }
  }
  return { pay: combined(paySlices), bill: combined(billSlices) };
}

/** Slices as one run: answers over seconds, cores weighted by each slice's seconds, p99 the slices' median. */
function combined(slices: readonly LoadFigures[]): LoadFigures {
  const seconds = slices.reduce((sum, f) => sum + f.seconds, 0);
  const ok = slices.reduce((sum, f) => sum + f.ok, 0);
  const weighted = (of: (cores: CoresUsed) => number) => slices.reduce((sum, f) => sum + (f.cores ? of(f.cores) * f.seconds : 0), 0) / seconds;
  const first = slices[0] as LoadFigures;
  const cores = slices.every((f) => f.cores)
    ? { ...(first.cores as CoresUsed), server: weighted((c) => c.server), postgres: weighted((c) => c.postgres), loadGenerator: weighted((c) => c.loadGenerator) }
    : undefined;
  return {
    ...first,
    seconds: round(seconds, 3),
    completed: slices.reduce((sum, f) => sum + f.completed, 0),
    ok,
    perSecond: round(ok / seconds, 0),
    latencyMs: { ...first.latencyMs, p99: median(slices.map((f) => f.latencyMs.p99)) ?? Number.NaN },
    errors: slices.reduce((sum, f) => sum + f.errors, 0),
    errorSamples: slices.flatMap((f) => f.errorSamples).slice(0, 5),
    cores,
  };
}

async function generatePins(url: string, firstSubscriber: number, count: number): Promise<BillPrepared[]> {
  const prepared: BillPrepared[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const mx = String(firstSubscriber + i);
      const answer = await call(url, 'PINGenerateWithNetwork', { ...CREDENTIALS, MX: mx, MCC: '655', MNC: '01', SID: PRODUCT });
      if (answer.Status !== 'Success' || typeof answer.PINID !== 'string') throw new Error(`PINGenerateWithNetwork for ${mx}: ${JSON.stringify(answer)}`);
      prepared[i] = { mx, pin: answer.PINID };
    }
  };
  await Promise.all(Array.from({ length: PIN_CONCURRENCY }, worker));
  return prepared;
}

/** How long the PIN SMS may take to leave: their sending is the PIN generation's work, not the bills'. */
const PIN_SMS_TIMEOUT_MS = 120_000;

/** Waits until every PIN SMS has left the outbox and the message queue, so the bills do not share the server with them. */
async function pinMessagesSent(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadlineMs = Date.now() + PIN_SMS_TIMEOUT_MS;
    for (;;) {
      const { rows } = await client.query<{ waiting: string }>(
        `SELECT (SELECT count(*) FROM outbox_events WHERE delivered_at IS NULL) + (SELECT count(*) FROM messages WHERE state = 'queued') AS waiting`,
      );
      if (Number(rows[0]?.waiting) === 0) return;
      if (Date.now() > deadlineMs) throw new Error(`PIN SMS still waiting after ${PIN_SMS_TIMEOUT_MS} ms: ${rows[0]?.waiting}`);
      await sleep(200);
    }
  } finally {
    await client.end();
  }
}

async function call(url: string, method: string, parameters: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${METHOD_BASE}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(parameters),
  });
  const body = (await response.json()) as { d?: Record<string, unknown> };
  if (!body.d) throw new Error(`${method}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.d;
}

/**
 * SendBillWithPin in the JSON binding, each request the next prepared subscriber and PIN. The
 * bodies are written before the run, as the PINs were: the load generator shares the two
 * cores with what it measures, and building each body during the run cost it more per bill
 * than Pay's smaller body costs it.
 */
function billRequests(prepared: readonly BillPrepared[], tag: string, errorSamples: string[], outcome: { notBilled: number }): autocannon.Request[] {
  const bodies = prepared.map((bill, i) =>
    JSON.stringify({ ...CREDENTIALS, BPID: PRODUCT, PT: `${tag}-${i + 1}`, MX: bill.mx, MNC: '01', MCC: '655', Amount: AMOUNT, ItemDescription: 'Bench', PIN: bill.pin }),
  );
  let next = 0;
  return [
    {
      method: 'POST',
      path: `${METHOD_BASE}/SendBillWithPin`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      setupRequest(request) {
        return { ...request, body: bodies[next++ % bodies.length] as string };
      },
      onResponse(status, body) {
        if (status === 200 && body.includes('"Description":"00 - Payment has been made"')) return;
        outcome.notBilled++;
        if (errorSamples.length < 5) errorSamples.push(`${status} ${body.slice(0, 300)}`);
      },
    },
  ];
}

const round2 = (value: number | undefined) => round(value ?? Number.NaN, 2);

try {
  process.exitCode = await main();
} catch (error) {
  console.error('\nbenchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
