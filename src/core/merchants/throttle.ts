import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../../kernel/assert.js';
import { sha256Hex } from '../../kernel/secrets.js';

/**
 * Limits on failed credential checks, each counted in fixed windows in the database
 * (so they hold across processes and restarts, and no flood of junk names can evict a
 * real account's count). A check is counted *before* its hash is computed and given
 * back when it succeeds, so concurrent guesses cannot overtake the count.
 *
 * - per account and source address: a guesser at one address gets `perAccountSource`
 *   checks of one account per window, and nothing more — not even a right guess;
 * - per source address: `perSource` failed checks of any accounts (junk names);
 * - per account, from any source: `perAccount`; beyond it only sources that have
 *   verified this credential before are still checked (the merchant's own servers keep
 *   working while a distributed guesser is refused unhashed).
 *
 * A credential already verified from an address is answered from memory and never
 * throttled: guesses cannot refuse a client presenting the right credential.
 */
export const LOGIN_THROTTLE = {
  windowMs: 60_000,
  perAccountSource: 20,
  perSource: 100,
  perAccount: 100,
} as const;

export interface ThrottleKeys {
  readonly accountSource: string;
  readonly source: string;
  readonly account: string;
}

/** Keys are hashes: usernames are the caller's text, and bounded keys keep the table small. */
export function throttleKeys(serviceId: number, username: string, source: string): ThrottleKeys {
  return {
    accountSource: sha256Hex(`account-source\u0000${serviceId}\u0000${username}\u0000${source}`),
    source: sha256Hex(`source\u0000${source}`),
    account: sha256Hex(`account\u0000${serviceId}\u0000${username}`),
  };
}

export function allKeys(keys: ThrottleKeys): string[] {
  return [keys.accountSource, keys.source, keys.account];
}

/** Failures counted under each key in its current window, this check included. */
export interface ThrottleCounts {
  readonly accountSource: number;
  readonly source: number;
  readonly account: number;
}

/** What the counts allow: hash the password, hash it only for a known source, or refuse unhashed. */
export type ThrottleVerdict = 'check' | 'known_sources_only' | 'refuse';

export function throttleVerdict(counts: ThrottleCounts): ThrottleVerdict {
  if (counts.accountSource > LOGIN_THROTTLE.perAccountSource || counts.source > LOGIN_THROTTLE.perSource) return 'refuse';
  if (counts.account > LOGIN_THROTTLE.perAccount) return 'known_sources_only';
  return 'check';
}

/** The same keys for a credential named by its kind and identifier alone (no endpoint in the request). */
export function credentialThrottleKeys(kind: string, identifier: string, source: string): ThrottleKeys {
  return {
    accountSource: sha256Hex(`credential-source\u0000${kind}\u0000${identifier}\u0000${source}`),
    source: sha256Hex(`source\u0000${source}`),
    account: sha256Hex(`credential\u0000${kind}\u0000${identifier}`),
  };
}

/** Beyond this many held refusals the next are answered at once (timers are memory too). */
const MAX_HELD_REFUSALS = 10_000;

/**
 * Holds throttled and busy answers: a refusal costs the server almost nothing, so a
 * flooder answered at once would come back thousands of times a second and take the
 * event loop from the merchants; held, each of its connections asks about once a second.
 */
export class RefusalHold {
  #held = 0;

  constructor(private readonly holdMs: number) {
    assert(holdMs >= 0 && holdMs <= 10_000, 'a refusal is held 0-10 s');
  }

  async hold(): Promise<void> {
    if (this.holdMs === 0 || this.#held >= MAX_HELD_REFUSALS) return;
    this.#held += 1;
    try {
      await sleep(this.holdMs);
    } finally {
      this.#held -= 1;
    }
  }
}
