// The HTTP measurements: a bare Fastify POST route (the HTTP stack's ceiling) and Strex REST Pay
// against an OpenDCB server on PostgreSQL or embedded PGlite.
import { join } from 'node:path';
import { checkpoint, type DatabaseStats, databaseStats } from './database.js';
import { type LoadFigures, load, loadCountingCores, payRequests } from './load.js';
import { round } from './numbers.js';
import { type Child, freePort, sleep, startChild, stopChild, waitFor, waitForAny } from './processes.js';
import { BARE, BARE_SECONDS, CLI, CONNECTIONS, CPU_PROF_DIR, PAY_SECONDS, SERVER_ENV, WARMUP_SECONDS } from './settings.js';

export type Database = 'postgres' | 'pglite';

/** Which build serves: this tree's, or an A/B run's baseline (bench/support/baseline.ts). */
export interface Server {
  name: string;
  cli: string;
}

export const CURRENT: Server = { name: 'current', cli: CLI };

/** PostgreSQL only: the cluster's admin connection (for statistics) and the server's database. */
export interface PostgresUrls {
  adminUrl: string;
  appUrl: string;
}

type PerPayment = { transactions: number; tuplesInserted: number; tuplesUpdated: number; walBytes: number };

interface DatabaseEffects {
  /** What the database did per recorded payment (server lifetime, incl. warm-up). */
  perPayment?: PerPayment;
  paymentsRecorded?: number;
  /** Outbox events still undelivered when the server stopped (did the worker keep up?). */
  outboxBacklog?: number;
}

/** How the server grouped reservations (server lifetime, warm-up included), from its /metrics. */
export interface ReservationBatches {
  statements: number;
  meanItems: number;
  /** Batches that failed as a whole and were reserved item by item. */
  fallbacks: number;
  /** Batches the database reserved item by item in their one statement (NaN: a build without the metric). */
  perItem: number;
}

/** DatabaseEffects are there for PostgreSQL only. */
export interface PayFigures extends LoadFigures, DatabaseEffects {
  database: Database;
  server: string;
  warmup: LoadFigures;
  reservationBatches: ReservationBatches;
}

export async function runBareFastify(): Promise<LoadFigures> {
  const port = await freePort();
  const child = startChild('bare fastify', process.execPath, [BARE], { ...process.env, PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${port}`;
    // No GET route: a 404 answer also proves it listens.
    await waitForAny(child, url);
    const errorSamples: string[] = [];
    const requests = payRequests('bare', errorSamples).map((r) => ({ ...r, path: '/pay' }));
    await load(url, 2, requests);
    return await loadCountingCores(url, BARE_SECONDS, requests, errorSamples, child.proc.pid);
  } finally {
    await stopChild(child);
  }
}

/** A Pay server on its own database, warmed up and left running: the caller loads it and stops it. */
export async function startWarmPayServer(
  database: Database,
  env: NodeJS.ProcessEnv,
  server = CURRENT,
): Promise<{ url: string; child: Child; tag: string; warmup: LoadFigures }> {
  const port = await freePort();
  const child = startOpenDcb(database, port, env, server);
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(child, `${url}/healthz`);
    const tag = `bench-${database}-${Date.now().toString(36)}`;
    const warmup = await warmUp(`${database}, ${server.name}`, url, `${tag}-w`);
    return { url, child, tag, warmup };
  } catch (error) {
    console.error(`${child.name} output (last lines):\n${child.output.slice(-20).join('\n')}`);
    await stopChild(child);
    throw error;
  }
}

export async function runPay(database: Database, env: NodeJS.ProcessEnv, pgUrls?: PostgresUrls, server = CURRENT): Promise<PayFigures> {
  const statsBefore = pgUrls ? await databaseStats(pgUrls.adminUrl, pgUrls.appUrl) : undefined;
  const { url, child, tag, warmup } = await startWarmPayServer(database, env, server);
  let stopped = false;
  try {
    if (pgUrls) await checkpoint(pgUrls.adminUrl);
    console.log(`pay (${database}, ${server.name}): ${CONNECTIONS} connections, ${PAY_SECONDS} s …`);
    const errorSamples: string[] = [];
    const pgPort = pgUrls ? Number(new URL(pgUrls.adminUrl).port) : undefined;
    const result = await loadCountingCores(url, PAY_SECONDS, payRequests(tag, errorSamples), errorSamples, child.proc.pid, pgPort);
    const out: PayFigures = { ...result, database, server: server.name, warmup, reservationBatches: await reservationBatches(url) };
    if (pgUrls && statsBefore) {
      // Backends flush their statistics when they exit: stop the server first.
      await stopChild(child);
      stopped = true;
      await sleep(500);
      Object.assign(out, await databaseEffects(pgUrls, statsBefore, warmup.ok + result.ok));
    }
    return out;
  } catch (error) {
    console.error(`${child.name} output (last lines):\n${child.output.slice(-20).join('\n')}`);
    throw error;
  } finally {
    if (!stopped) await stopChild(child);
  }
}

function startOpenDcb(database: Database, port: number, env: NodeJS.ProcessEnv, server: Server): Child {
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF_DIR, database, server.name)] : [];
  return startChild(`opendcb (${database}, ${server.name})`, process.execPath, [...nodeArgs, server.cli, 'serve'], {
    ...process.env,
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    WORKERS: 'true',
    NODE_ENV: 'development',
    ...SERVER_ENV,
  });
}

async function warmUp(what: string, url: string, tag: string): Promise<LoadFigures> {
  const errorSamples: string[] = [];
  console.log(`pay (${what}): warm-up ${WARMUP_SECONDS} s …`);
  const warmup = await load(url, WARMUP_SECONDS, payRequests(tag, errorSamples), errorSamples);
  if (warmup.ok === 0) throw new Error(`no Pay succeeded during warm-up: ${errorSamples.join(' | ')}`);
  return warmup;
}

/** The server's reservation batches so far (its /metrics): statements, mean items, fallbacks. */
export async function reservationBatches(url: string): Promise<ReservationBatches> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const statements = metric('opendcb_reservation_batch_size_count');
  const items = metric('opendcb_reservation_batch_size_sum');
  return {
    statements,
    meanItems: statements > 0 ? round(items / statements, 1) : 0,
    fallbacks: metric('opendcb_reservation_batch_fallbacks_total'),
    perItem: metric('opendcb_reservation_batch_per_item_total'),
  };
}

/** Fails unless every Pay answered 2xx (okAnswers) is recorded in the database. */
async function databaseEffects(pgUrls: PostgresUrls, before: DatabaseStats, okAnswers: number): Promise<DatabaseEffects> {
  const after = await databaseStats(pgUrls.adminUrl, pgUrls.appUrl);
  const recorded = after.payments;
  const effects: DatabaseEffects = { paymentsRecorded: recorded, outboxBacklog: after.outboxBacklog };
  if (recorded > 0) effects.perPayment = perPayment(before, after, recorded);
  if (recorded < okAnswers) throw new Error(`only ${recorded} payments in the database, but ${okAnswers} Pay requests answered 2xx`);
  return effects;
}

function perPayment(before: DatabaseStats, after: DatabaseStats, recorded: number): PerPayment {
  return {
    transactions: round((after.transactions - before.transactions) / recorded, 2),
    tuplesInserted: round((after.inserted - before.inserted) / recorded, 2),
    tuplesUpdated: round((after.updated - before.updated) / recorded, 2),
    walBytes: round((after.walLsn - before.walLsn) / recorded, 0),
  };
}
