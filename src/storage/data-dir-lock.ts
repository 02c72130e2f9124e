import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Beside PGlite's files in the data directory; PostgreSQL's own name (postmaster.pid) is avoided. */
export const LOCK_FILE_NAME = 'opendcb.lock';
// Each attempt either takes the lock, refuses, or clears one stale lock: a few suffice.
const MAX_ATTEMPTS = 4;

export class DataDirectoryInUse extends Error {
  override readonly name = 'DataDirectoryInUse';
}

export interface DataDirectoryLock {
  readonly path: string;
  /** Removes the lock file if it is still this holder's; safe to call twice. */
  release(): void;
}

// Directories held by this process: its own PID in a lock file would otherwise read as stale.
const heldHere = new Set<string>();

/**
 * Takes the data directory for this process, for as long as it lives: PGlite is one database
 * in one process, and a second process on the same files would hand out the same ids and
 * never see the other's writes. The lock is a file holding the holder's PID and a nonce,
 * created atomically (a hard link fails if it exists); a lock whose PID no longer runs was
 * left by a crash (kill -9) and is taken over.
 */
export function lockDataDirectory(dataDir: string): DataDirectoryLock {
  const directory = resolve(dataDir);
  const path = join(directory, LOCK_FILE_NAME);
  if (heldHere.has(path)) throw inUse(directory, process.pid);
  const content = `${process.pid}\n${randomBytes(8).toString('hex')}\n`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (tryCreate(path, content)) return held(path, content);
    const holder = readIfExists(path);
    // Gone meanwhile: its holder released it; try again.
    if (holder === undefined) continue;
    const pid = holderPid(holder);
    if (pid !== undefined && pid !== process.pid && isRunning(pid)) throw inUse(directory, pid);
    removeStale(path, holder);
  }
  throw new DataDirectoryInUse(`DATA_DIR ${directory}: the lock ${LOCK_FILE_NAME} changed hands ${MAX_ATTEMPTS} times; another process keeps taking it`);
}

function inUse(directory: string, pid: number): DataDirectoryInUse {
  const who = pid === process.pid ? `this process (PID ${pid})` : `another OpenDCB process (PID ${pid})`;
  return new DataDirectoryInUse(
    `DATA_DIR ${directory} is in use by ${who}: the embedded database belongs to one process. ` +
      'Stop that process, or use PostgreSQL (DATABASE_URL) to run several.',
  );
}

/** Writes the content beside the lock, then links it into place: the lock is never seen empty. */
function tryCreate(path: string, content: string): boolean {
  const staged = `${path}.${process.pid}.new`;
  writeFileSync(staged, content, { mode: 0o644 });
  try {
    linkSync(staged, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(staged);
  }
}

function held(path: string, content: string): DataDirectoryLock {
  heldHere.add(path);
  // A process that ends without closing the database (process.exit) still gives the lock back.
  const release = () => {
    process.removeListener('exit', release);
    if (!heldHere.delete(path)) return;
    if (readIfExists(path) === content) unlinkSync(path);
  };
  process.on('exit', release);
  return { path, release };
}

/**
 * Moves the stale lock aside before deleting it, so that of two processes clearing it at
 * once only one deletes it. A process that moved a lock just taken by another (not the stale
 * content it read) puts it back, and then sees it held.
 */
function removeStale(path: string, staleContent: string): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if (readIfExists(aside) !== staleContent) linkBack(aside, path);
  } finally {
    unlinkSync(aside);
  }
}

function linkBack(aside: string, path: string): void {
  try {
    linkSync(aside, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The PID on the first line; anything else (a damaged file) counts as no holder. */
function holderPid(content: string): number | undefined {
  const pid = Number(content.split('\n', 1)[0]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isRunning(pid: number): boolean {
  try {
    // Signal 0 checks that the process exists without touching it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
