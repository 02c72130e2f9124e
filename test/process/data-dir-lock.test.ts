import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LOCK_FILE_NAME } from '../../src/storage/data-dir-lock.js';
import { DEMO_AUTH, uniqueReference } from '../support/app.js';
import { runToExit, type ServerProcess, startServerProcess } from '../support/server-process.js';

const inUse = (dir: string, pid: number | undefined) =>
  `DATA_DIR ${dir} is in use by another OpenDCB process (PID ${pid}): the embedded database belongs to one process. ` +
  'Stop that process, or use PostgreSQL (DATABASE_URL) to run several.\n';
const WORKER_REFUSED =
  'opendcb worker needs PostgreSQL (DATABASE_URL): the embedded database belongs to one process. ' +
  'Run the background work inside opendcb serve (WORKERS=true) instead.\n';

/** Two processes on one embedded data directory would hand out the same TransactionIds. */
describe('one process per embedded data directory', () => {
  let dataDir = '';
  let first: ServerProcess | undefined;
  let successor: ServerProcess | undefined;
  const env = () => ({ DATA_DIR: dataDir, DATABASE_URL: '' });
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'opendcb-lock-process-'));
    first = await startServerProcess(env());
  });
  after(async () => {
    await first?.stop();
    await successor?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a second serve, migrate or seed on the same DATA_DIR exits 1 naming the directory and the holder', async () => {
    for (const command of ['serve', 'migrate', 'seed']) {
      const run = await runToExit([command], env());
      assert.deepEqual({ code: run.code, stdout: run.stdout, stderr: run.stderr }, { code: 1, stdout: '', stderr: inUse(dataDir, first?.child.pid) }, command);
    }
    const health = await fetch(`${first?.baseUrl}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok', database: 'pglite' }, 'the holder runs on');
  });

  it('opendcb worker on the embedded database is refused with the reason', async () => {
    for (const dir of [dataDir, 'memory://']) {
      const run = await runToExit(['worker'], { DATA_DIR: dir, DATABASE_URL: '' });
      assert.deepEqual({ code: run.code, stderr: run.stderr }, { code: 1, stderr: WORKER_REFUSED });
    }
  });

  it('after kill -9 of the holder, the next serve takes the lock over and finds the data', async () => {
    const holder = first as ServerProcess;
    const details = { Msisdn: '+4790000000', Price: 100, ServiceCode: '10002', ClientReference: uniqueReference('lock') };
    const paid = await fetch(`${holder.baseUrl}/RestV1.svc/service/1000/pay`, {
      method: 'POST',
      headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ PaymentDetails: details }),
    });
    const { TransactionId } = (await paid.json()) as { TransactionId: number };
    const exited = once(holder.child, 'exit');
    holder.child.kill('SIGKILL');
    await exited;
    first = undefined;
    const lockFile = join(dataDir, LOCK_FILE_NAME);
    assert.equal(readFileSync(lockFile, 'utf8').split('\n')[0], String(holder.child.pid), 'kill -9 leaves the lock file behind');

    successor = await startServerProcess(env());
    const status = await fetch(`${successor.baseUrl}/RestV1.svc/service/1000/pay/${details.ClientReference}`, { headers: { authorization: DEMO_AUTH } });
    assert.deepEqual(await status.json(), { ClientReference: details.ClientReference, PaymentStatus: 1, TransactionId });
    assert.equal(readFileSync(lockFile, 'utf8').split('\n')[0], String(successor.child.pid));
    assert.equal(await successor.stop(), 0);
    successor = undefined;
    assert.equal(existsSync(lockFile), false, 'a clean stop gives the lock back');
  });
});
