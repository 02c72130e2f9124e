// SMS throughput benchmark: `npm run bench:sms` (not part of npm test). See docs/performance.md.
//
// One run measures, against a local SMSC (the test SMSC, in a child process):
//   1. the bare ceiling: a client that only submits (bind, then submit_sm in a window, no store),
//   2. OpenDCB's path: BENCH_SMS_MESSAGES messages queued in bulk submissions of 10,000, then
//      dispatched from the database through the SMPP connector, every receipt correlated.
// Knobs: BENCH_SMS_MESSAGES (100000), BENCH_SMS_WINDOW (10, as SMPP_WINDOW), BENCH_SMS_DISPATCHERS (2),
// BENCH_SMS_DATABASE=pglite|postgres (in-memory PGlite, or a throwaway PostgreSQL cluster started here).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import smpp, { type PDU } from 'smpp';
import { SmppConnector } from '../src/connectors/smpp/connector.js';
import { MessagingService } from '../src/core/messaging/service.js';
import { systemClock } from '../src/kernel/clock.js';
import type { Msisdn } from '../src/kernel/msisdn.js';
import { openDatabase } from '../src/storage/db.js';
import { migrate } from '../src/storage/migrate.js';
import { SqlMessageStore } from '../src/storage/repositories/messages.js';
import { createDatabase, startPostgres } from '../test/support/postgres.js';

const MESSAGES = Number(process.env.BENCH_SMS_MESSAGES ?? 100_000);
const WINDOW = Number(process.env.BENCH_SMS_WINDOW ?? 10);
const DISPATCHERS = Number(process.env.BENCH_SMS_DISPATCHERS ?? 2);
const DATABASE = process.env.BENCH_SMS_DATABASE === 'postgres' ? 'postgres' : 'pglite';
const PER_SUBMISSION = 10_000;
const HERE = fileURLToPath(new URL('.', import.meta.url));

async function startSmsc(receipts: boolean): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(HERE, 'sms-smsc.js'), ...(receipts ? ['receipts'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the SMSC exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /PORT (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
  });
  return { port, child };
}

/** The ceiling: submit_sm as fast as the SMSC answers them, in the same window, nothing stored. */
async function bare(port: number): Promise<{ seconds: number; perSecond: number }> {
  const session = smpp.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    session.on('error', reject);
    session.on('connect', () => session.bind_transceiver({ system_id: 'test', password: 'secret' }, () => resolve()));
  });
  const started = performance.now();
  let sent = 0;
  let answered = 0;
  await new Promise<void>((resolve) => {
    const next = () => {
      if (sent >= MESSAGES) return;
      sent += 1;
      session.submit_sm({ destination_addr: '4790010000', source_addr: 'OpenDCB', short_message: Buffer.from(`message ${sent}`), registered_delivery: 0 }, (pdu: PDU) => {
        if (pdu.command_status !== 0) throw new Error(`bare submit_sm answered ${pdu.command_status}`);
        answered += 1;
        if (answered === MESSAGES) resolve();
        else next();
      });
    };
    for (let i = 0; i < WINDOW; i += 1) next();
  });
  const seconds = (performance.now() - started) / 1000;
  session.destroy();
  return { seconds, perSecond: MESSAGES / seconds };
}

async function counts(db: Awaited<ReturnType<typeof openDatabase>>): Promise<Map<string, number>> {
  const { rows } = await sql<{ state: string; n: string }>`SELECT state, count(*) AS n FROM messages GROUP BY state`.execute(db.kysely);
  return new Map(rows.map((r) => [r.state, Number(r.n)]));
}

async function throughOpenDcb(port: number, databaseUrl: string | undefined) {
  const db = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 10 });
  await migrate(db);
  const { rows } = await sql<{ id: string }>`INSERT INTO merchants (name, created_at) VALUES ('bench', now()) RETURNING id`.execute(db.kysely);
  const merchantId = Number(rows[0]?.id);
  const store = new SqlMessageStore(db.kysely);
  let submitted = 0;
  let lastSubmitMs = 0;
  const connector = new SmppConnector(
    { host: '127.0.0.1', port, systemId: 'test', password: 'secret', systemType: '', sourceAddr: undefined, window: WINDOW, tps: 0, longMessages: 'udh' },
    systemClock,
    {
      submitted: () => {
        submitted += 1;
        lastSubmitMs = performance.now();
      },
      throttled() {},
      reconnected() {},
      receiptLatency() {},
    },
  );
  const messaging = new MessagingService({ store, connector, clock: systemClock, perMerchantPerSecond: 1_000_000 });
  await messaging.start();

  const queueStarted = performance.now();
  for (let offset = 0; offset < MESSAGES; offset += PER_SUBMISSION) {
    const recipients = Array.from({ length: Math.min(PER_SUBMISSION, MESSAGES - offset) }, (_, i) => `+47900${String(10_000 + ((offset + i) % 90_000)).padStart(5, '0')}` as Msisdn);
    const queued = await messaging.queue({ merchantId, submissionKey: `bench-${offset}`, recipients, from: 'OpenDCB', text: `Bench message ${offset}` });
    if (!queued.ok) throw new Error(`queue refused: ${queued.error.kind}`);
  }
  const queueSeconds = (performance.now() - queueStarted) / 1000;

  const started = performance.now();
  let done = false;
  const dispatcher = async () => {
    while (!done) {
      const handled = await messaging.dispatchDue();
      if (handled === 0) await sleep(5);
    }
  };
  const dispatchers = Array.from({ length: DISPATCHERS }, dispatcher);
  let final = new Map<string, number>();
  while ((final.get('delivered') ?? 0) < MESSAGES) {
    await sleep(250);
    final = await counts(db);
  }
  const correlatedSeconds = (performance.now() - started) / 1000;
  done = true;
  await Promise.all(dispatchers);
  await messaging.stop();
  await db.close();
  const submitSeconds = (lastSubmitMs - started) / 1000;
  return { queueSeconds, submitted, submitSeconds, submitPerSecond: submitted / submitSeconds, correlatedSeconds, states: Object.fromEntries(final) };
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  console.log(`bench:sms — ${MESSAGES} messages, window ${WINDOW}, ${DISPATCHERS} dispatchers, ${DATABASE}, load ${loadBefore?.toFixed(2)}`);
  const bareSmsc = await startSmsc(false);
  const ceiling = await bare(bareSmsc.port);
  bareSmsc.child.kill('SIGTERM');
  console.log(`bare SMSC ceiling: ${ceiling.perSecond.toFixed(0)} submit_sm/s (${ceiling.seconds.toFixed(1)} s)`);
  const postgres = DATABASE === 'postgres' ? await startPostgres() : undefined;
  const databaseUrl = postgres ? await createDatabase(postgres.url, 'bench_sms') : undefined;
  const smsc = await startSmsc(true);
  const path = await throughOpenDcb(smsc.port, databaseUrl);
  await postgres?.stop();
  smsc.child.kill('SIGTERM');
  console.log(
    `OpenDCB: queued in ${path.queueSeconds.toFixed(1)} s; ${path.submitted} submit_sm in ${path.submitSeconds.toFixed(1)} s = ${path.submitPerSecond.toFixed(0)} submit_sm/s ` +
      `(${((100 * path.submitPerSecond) / ceiling.perSecond).toFixed(0)} % of the ceiling); every receipt correlated after ${path.correlatedSeconds.toFixed(1)} s`,
  );
  console.log(`states: ${JSON.stringify(path.states)}; load after ${loadavg()[0]?.toFixed(2)}`);
  const results = join(HERE, '..', '..', 'bench', 'results');
  mkdirSync(results, { recursive: true });
  const file = join(results, `sms-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ messages: MESSAGES, database: DATABASE, window: WINDOW, dispatchers: DISPATCHERS, loadBefore, ceiling, path }, null, 2)}\n`);
  console.log(`results: ${file}`);
}

await main();
