import type { PasswordAuthenticator } from '../core/merchants/authentication.js';
import type { Job } from './job.js';

/** Expired throttle windows only take space, never change an answer: once a minute is enough. */
const PRUNE_INTERVAL_MS = 60_000;

/** Deletes ended login-throttle windows and long-unseen credential sources. */
export function loginThrottlePruneJob(authenticator: Pick<PasswordAuthenticator, 'prune'>): Job {
  // A prune is one statement however much it deletes: never run it again at once.
  return { name: 'login-throttle-prune', idleMs: PRUNE_INTERVAL_MS, run: async () => (await authenticator.prune(), 0) };
}
