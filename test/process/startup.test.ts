import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runToExit } from '../support/server-process.js';

// Long enough for a start on a busy machine, far shorter than the ~12 s a late check took.
const PROMPT_EXIT_MS = 5_000;

/** How `opendcb` refuses to start: at once, non-zero, and saying which variable is wrong. */
describe('startup failures', () => {
  let scratch = '';
  const lockedDirs: string[] = [];
  const lockedDirectory = (path: string) => {
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o000);
    lockedDirs.push(path);
  };
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'opendcb-startup-'));
  });
  after(() => {
    for (const dir of lockedDirs) chmodSync(dir, 0o700);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('an unwritable DATA_DIR: serve exits 1 at once with DATA_DIR named', async () => {
    // Mode 000 fails even for root: PGlite checks the mode bits itself.
    const locked = join(scratch, 'locked');
    lockedDirectory(locked);
    const run = await runToExit(['serve'], { DATA_DIR: locked });
    assert.deepEqual({ code: run.code, stderr: run.stderr }, { code: 1, stderr: `DATA_DIR ${locked} is not writable\n` });
    assert.ok(run.elapsedMs < PROMPT_EXIT_MS, `exited after ${run.elapsedMs} ms`);
  });

  it('a data directory PGlite fails to open exits 1, not 0 (PGlite sets process.exitCode itself)', async () => {
    const dataDir = join(scratch, 'pglite-refuses');
    lockedDirectory(join(dataDir, 'global'));
    for (const command of ['serve', 'migrate']) {
      const run = await runToExit([command], { DATA_DIR: dataDir });
      assert.deepEqual(
        { code: run.code, stderr: run.stderr },
        { code: 1, stderr: `The embedded database in DATA_DIR ${dataDir} could not be opened: permission denied (ErrnoError 2)\n` },
      );
    }
  });

  it('a LOG_LEVEL pino does not know stops serve before the database is opened', async () => {
    const run = await runToExit(['serve'], { DATA_DIR: join(scratch, 'never-created'), LOG_LEVEL: 'verbose' });
    assert.deepEqual(
      { code: run.code, stderr: run.stderr },
      { code: 1, stderr: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got verbose\n' },
    );
    assert.ok(run.elapsedMs < PROMPT_EXIT_MS, `exited after ${run.elapsedMs} ms`);
  });

  it('a port in use: serve exits 1 with PORT and HOST named, and leaves its database closed', async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    const dataDir = join(scratch, 'port-in-use');
    try {
      // The worker used to start before the listener and kept the process alive after the failure.
      const run = await runToExit(['serve'], { DATA_DIR: dataDir, PORT: String(port), WORKERS: 'true' });
      assert.deepEqual(
        { code: run.code, stderr: run.stderr },
        { code: 1, stderr: `Port ${port} on 127.0.0.1 is already in use: stop what holds it, or set another PORT (or HOST)\n` },
      );
    } finally {
      holder.close();
    }
    const after = await runToExit(['migrate'], { DATA_DIR: dataDir });
    assert.deepEqual({ code: after.code, stdout: after.stdout }, { code: 0, stdout: 'schema up to date\n' });
  });
});
