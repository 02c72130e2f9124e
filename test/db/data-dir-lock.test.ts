import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataDirectoryInUse, LOCK_FILE_NAME, lockDataDirectory } from '../../src/storage/data-dir-lock.js';
import { openDatabase } from '../../src/storage/db.js';

const inUseMessage = (dir: string, who: string) =>
  `DATA_DIR ${dir} is in use by ${who}: the embedded database belongs to one process. Stop that process, or use PostgreSQL (DATABASE_URL) to run several.`;

/** A PID that ran and has ended: what a lock left by kill -9 holds. */
function endedPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  assert.ok(pid > 0);
  return pid;
}

/** The embedded data directory belongs to one process (the process tests show it across processes). */
describe('data-directory lock', () => {
  let scratch = '';
  let counter = 0;
  const freshDir = () => {
    const dir = join(scratch, `dir-${++counter}`);
    mkdirSync(dir);
    return dir;
  };
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'opendcb-lock-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('a second open of the same DATA_DIR in one process is refused; after close it opens again', async () => {
    const dir = join(scratch, 'database');
    const db = await openDatabase({ dataDir: dir });
    assert.equal(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').split('\n')[0], String(process.pid));
    await assert.rejects(openDatabase({ dataDir: dir }), { name: 'DataDirectoryInUse', message: inUseMessage(dir, `this process (PID ${process.pid})`) });
    await db.close();
    assert.equal(existsSync(join(dir, LOCK_FILE_NAME)), false, 'close gives the lock back');
    const again = await openDatabase({ dataDir: dir });
    await again.close();
  });

  it('a lock of a running process is refused with its PID', () => {
    const dir = freshDir();
    writeFileSync(join(dir, LOCK_FILE_NAME), `${process.ppid}\nsomeone-else\n`);
    assert.throws(() => lockDataDirectory(dir), (error: Error) => {
      assert.ok(error instanceof DataDirectoryInUse);
      assert.equal(error.message, inUseMessage(dir, `another OpenDCB process (PID ${process.ppid})`));
      return true;
    });
    assert.equal(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8'), `${process.ppid}\nsomeone-else\n`, 'the holder keeps its lock');
  });

  it('a lock left by an ended process, a damaged one, or one of this PID not held here is taken over', () => {
    for (const left of [`${endedPid()}\nnonce\n`, 'garbage', '', `${process.pid}\nan earlier life of this PID\n`]) {
      const dir = freshDir();
      writeFileSync(join(dir, LOCK_FILE_NAME), left);
      const lock = lockDataDirectory(dir);
      assert.equal(readFileSync(lock.path, 'utf8').split('\n')[0], String(process.pid), `left: ${JSON.stringify(left)}`);
      lock.release();
      assert.equal(existsSync(lock.path), false);
    }
  });

  it('release removes only its own lock, and twice is harmless', () => {
    const dir = freshDir();
    const lock = lockDataDirectory(dir);
    writeFileSync(lock.path, `${process.ppid}\nanother holder\n`);
    lock.release();
    lock.release();
    assert.equal(readFileSync(lock.path, 'utf8'), `${process.ppid}\nanother holder\n`);
  });
});
