import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { DEMO_AUTH, databaseUrlFor, uniqueReference } from '../support/app.js';
import { assertLedgerConsistent, assertLedgerSound } from '../support/ledger.js';
import { startServerProcess } from '../support/server-process.js';

const LOAD = fileURLToPath(new URL('../support/ledger-load.js', import.meta.url));
const COMMITS_BEFORE_KILL = 40;
// Generous: on a host loaded by parallel test runs the load process may start slowly.
const START_TIMEOUT_MS = 120_000;

/** Starts the load process and resolves once it has committed at least `commits` steps. */
async function loadUntil(databaseUrl: string, commits: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [LOAD], { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load did not reach ${commits} commits:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const reached = [...output.matchAll(/committed (\d+)/g)].some((m) => Number(m[1]) >= commits);
      if (reached) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`load exited with ${code}:\n${output}`));
    });
  });
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** kill -9 in the middle of transfers, pending posts and voids, and linked chains: nothing half-done survives. */
describe('the general ledger after kill -9 under load', { skip: !process.env.TEST_POSTGRES_URL && 'needs TEST_POSTGRES_URL' }, () => {
  let db: Database;
  let databaseUrl = '';
  before(async () => {
    databaseUrl = (await databaseUrlFor('postgres', 'ledger_kill')) ?? '';
    db = await openDatabase({ databaseUrl, dataDir: 'memory://' });
    await migrate(db);
  });
  after(() => db.close());

  it('killed twice while transferring, restarted in between: every invariant holds and no wallet is below zero', async () => {
    for (let round = 0; round < 2; round += 1) await kill9(await loadUntil(databaseUrl, COMMITS_BEFORE_KILL));
    await assertLedgerSound(db);
    const transfers = await db.kysely.selectFrom('ledger_transfers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    assert.ok(Number(transfers.n) >= COMMITS_BEFORE_KILL * 2, 'both runs committed transfers');
    const negative = await db.kysely
      .selectFrom('ledger_accounts')
      .select('code')
      .where('owner_kind', '=', 'wallet')
      .whereRef('credits_posted', '<', (eb) => eb('debits_posted', '+', eb.ref('debits_pending')))
      .execute();
    assert.deepEqual(negative, []);
  });

  it('a server killed while Pays and reversals are in flight, restarted: every payment has the entries its status implies', async () => {
    const payUrl = await databaseUrlFor('postgres', 'ledger_kill_pays');
    for (let round = 0; round < 2; round += 1) {
      const server = await startServerProcess({ DATABASE_URL: payUrl ?? '', WORKERS: 'false' });
      let paid = 0;
      const stop = { now: false };
      const pay = async (i: number) => {
        const reference = uniqueReference(`kill-${round}`);
        const response = await fetch(`${server.baseUrl}/RestV1.svc/service/1000/pay`, {
          method: 'POST',
          headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
          body: JSON.stringify({ PaymentDetails: { Msisdn: `+4741${String(i % 50).padStart(6, '0')}`, Price: 100, ServiceCode: '10002', ClientReference: reference } }),
        });
        const body = (await response.json()) as { TransactionId?: number };
        if (response.status === 200 && body.TransactionId !== undefined) {
          paid += 1;
          if (paid % 3 === 0) await fetch(`${server.baseUrl}/RestV1.svc/service/1000/pay/${body.TransactionId}`, { method: 'DELETE', headers: { authorization: DEMO_AUTH } });
        }
      };
      const clients = Array.from({ length: 16 }, async (_, c) => {
        for (let i = c; !stop.now; i += 16) await pay(i).catch(() => {});
      });
      while (paid < COMMITS_BEFORE_KILL) await new Promise((resolve) => setTimeout(resolve, 50));
      await kill9(server.child);
      stop.now = true;
      await Promise.all(clients);
    }
    const payDb = await openDatabase({ databaseUrl: payUrl, dataDir: 'memory://' });
    try {
      await assertLedgerConsistent({ db: payDb });
      const charges = await payDb.kysely.selectFrom('journal_entries').select((eb) => eb.fn.countAll<string>().as('n')).where('kind', '=', 'charge').executeTakeFirstOrThrow();
      assert.ok(Number(charges.n) >= COMMITS_BEFORE_KILL * 2, 'both runs charged');
    } finally {
      await payDb.close();
    }
  });
});
