// Infomedia SendBillWithPin throughput: `npm run bench:infomedia`. See docs/performance.md.
//
// Issue 11's goal: SendBillWithPin on PostgreSQL at least 0.8 of Strex REST Pay's throughput,
// the same core charge path, measured in the same run. Each round runs both against fresh
// databases of one throwaway cluster, alternating which goes first (the host is noisy).
// A bill needs a PIN: each round's PINs are generated before its load starts, one per
// subscriber (a subscriber may be sent 10 PINs an hour), and each bill request uses the next
// one, so every request bills a new subscriber once. Servers run as child processes, so
// the load generator does not share their event loop.
// Knobs: BENCH_AB_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_PAY_SECONDS (10),
// BENCH_BILLS (bills measured per round, 10,000), BENCH_BILL_WARMUP (bills sent before them, not
// measured, 2,000: Pay is warmed up for 5 s), BENCH_CPU_PROF=<dir> (adds --cpu-prof to the servers).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDatabase, startPostgres } from '../test/support/postgres.js';
import { checkpoint, dropDatabase, vacuumAnalyze } from './support/database.js';
import { type LoadFigures, load, loadCountingCores } from './support/load.js';
import { median, round } from './support/numbers.js';
import { cleanup, freePort, onCleanup, startChild, stopChild, waitFor } from './support/processes.js';
import { reservationBatches, runPay } from './support/servers.js';
import { AB_ROUNDS, CLI, CONNECTIONS, CPU_PROF_DIR } from './support/settings.js';

const BILLS = Number(process.env.BENCH_BILLS ?? 10_000);
/** Bills sent before the measured ones, as Pay has its warm-up: the server's hot path compiled, its pools and caches filled. */
const WARMUP_BILLS = Number(process.env.BENCH_BILL_WARMUP ?? 2_000);
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
  if (!Number.isInteger(BILLS) || BILLS <= 0 || BILLS > 1_000_000) throw new Error('BENCH_BILLS must be an integer 1-1000000');
  if (!Number.isInteger(WARMUP_BILLS) || WARMUP_BILLS < 0 || WARMUP_BILLS > 100_000) throw new Error('BENCH_BILL_WARMUP must be an integer 0-100000');
  console.log('starting PostgreSQL …');
  const postgres = await startPostgres();
  onCleanup(() => postgres.stop());
  const pgPort = Number(new URL(postgres.url).port);
  const rounds: { pay: number; bill: number; payP99: number; billP99: number }[] = [];
  for (let round = 1; round <= AB_ROUNDS; round++) {
    const billFirst = round % 2 === 0;
    // Each database is dropped after its run: autovacuum would visit it later, in another run's window.
    const measurePay = async () => {
      const appUrl = await createDatabase(postgres.url, `bench_pay_${round}`);
      const figures = await runPay('postgres', { DATABASE_URL: appUrl }, { adminUrl: postgres.url, appUrl });
      await dropDatabase(postgres.url, appUrl);
      return figures;
    };
    const measureBill = async () => {
      const appUrl = await createDatabase(postgres.url, `bench_bill_${round}`);
      const figures = await runBills(appUrl, round, postgres.url, pgPort);
      await dropDatabase(postgres.url, appUrl);
      return figures;
    };
    let bill, pay;
    if (billFirst) {
      bill = await measureBill();
      pay = await measurePay();
    } else {
      pay = await measurePay();
      bill = await measureBill();
    }
    rounds.push({ pay: pay.perSecond, bill: bill.figures.perSecond, payP99: pay.latencyMs.p99, billP99: bill.figures.latencyMs.p99 });
    console.log(
      `round ${round}: Pay ${pay.perSecond}/s p99 ${pay.latencyMs.p99} ms · SendBillWithPin ${bill.figures.perSecond}/s p99 ${bill.figures.latencyMs.p99} ms · ratio ${round2(bill.figures.perSecond / pay.perSecond)}`,
    );
    console.log(`  Pay: ${cpuText(pay)} · ${pay.reservationBatches.meanItems} items a reservation statement (warm-up included)`);
    console.log(`  SendBillWithPin: ${cpuText(bill.figures)} · ${bill.batches.meanItems} items a reservation statement`);
    // A bill answers HTTP 200 whatever its outcome: only a Success Conf counts as billed.
    if (bill.notBilled > 0 || bill.figures.errors > 0) {
      console.error(`SendBillWithPin: ${bill.notBilled} not billed, ${bill.figures.errors} HTTP errors: ${bill.figures.errorSamples.join(' | ')}`);
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

/** One SendBillWithPin run: a server on its own database, PINs generated first, then BILLS bills. */
interface BillRun {
  figures: LoadFigures;
  notBilled: number;
  /** The measured bills' reservation statements and their mean items. */
  batches: { statements: number; meanItems: number };
}

async function runBills(databaseUrl: string, round: number, adminUrl: string, pgPort: number): Promise<BillRun> {
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
    // As Pay's run does after its warm-up.
    await checkpoint(adminUrl);
    console.log(`SendBillWithPin (round ${round}): ${CONNECTIONS} connections, ${BILLS} bills …`);
    // A run of BILLS requests (each PIN once), not of a duration: there are only so many PINs.
    const requests = billRequests(prepared.slice(WARMUP_BILLS), `r${round}`, errorSamples, outcome);
    const before = await reservationBatches(url);
    const figures = await loadCountingCores(url, 0, requests, errorSamples, child.proc.pid, pgPort, BILLS);
    const after = await reservationBatches(url);
    const statements = after.statements - before.statements;
    return { figures, notBilled: outcome.notBilled, batches: { statements, meanItems: Math.round((BILLS / statements) * 10) / 10 } };
  } catch (error) {
    console.error(`${child.name} output (last lines):\n${child.output.slice(-20).join('\n')}`);
    throw error;
  } finally {
    await stopChild(child);
  }
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
