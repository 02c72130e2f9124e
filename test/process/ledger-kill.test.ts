import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { databaseUrlFor } from '../support/app.js';
import { assertLedgerSound } from '../support/ledger.js';

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
});
