import { setTimeout as sleep } from 'node:timers/promises';

const MAX_TRIES = 100;
const PAUSE_MS = 50;

/**
 * Rolls up until done() answers true, at most 100 times, 50 ms apart. The rollup's horizon is
 * the cluster's oldest running transaction, so another test file's open transaction (another
 * database of the shared PostgreSQL cluster) can hold it back a moment. done() may assert what
 * must hold meanwhile; the caller asserts the end state after.
 */
export async function rollUpUntil(rollUp: () => Promise<unknown>, done: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < MAX_TRIES && !(await done()); tries += 1) {
    await sleep(PAUSE_MS);
    await rollUp();
  }
}
