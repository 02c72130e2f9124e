import { createHmac, randomBytes } from 'node:crypto';
import { BoundedWork, REFUSED } from '../../kernel/bounded-work.js';
import type { Clock } from '../../kernel/clock.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { sourceKey } from '../../kernel/source-address.js';
import type { Endpoint } from './accounts-types.js';
import type { CredentialFailure } from './credentials.js';
import type { LoginThrottleStore } from './ports.js';
import { allKeys, credentialThrottleKeys, LOGIN_THROTTLE, RefusalHold } from './throttle.js';

/** How long a verified credential is answered from memory before its row is checked again (a revocation bites within this). */
const VERIFIED_FRESH_MS = 60_000;
const VERIFIED_ENTRIES = 10_000;
/** One hash at a time, as the Basic login path: the other core stays with paying traffic. */
const HASH_CONCURRENCY = 1;
const HASH_QUEUE = 32;
/** A throttled or busy answer is held this long, as the Basic path holds it. */
const REFUSAL_HOLD_MS = 1_000;
const MAX_PART_CHARS = 200;

export type ThrottledFailure = CredentialFailure | { readonly kind: 'throttled'; readonly retryAfterMs: number } | { readonly kind: 'busy' };

export interface ThrottledVerifierDeps {
  /** The credential check itself (CredentialService.verifyPassword and its kin): hashes on every path it refuses. */
  readonly verify: (identifier: string, secret: string, address: string) => Promise<Result<Endpoint, CredentialFailure>>;
  /** Names the verified kind in throttle keys, so two kinds' identifiers never share a count. */
  readonly kind: string;
  readonly throttle: LoginThrottleStore;
  readonly clock: Clock;
  /** Tests shorten it. */
  readonly refusalHoldMs?: number;
}

interface Verified {
  readonly endpoint: Endpoint;
  readonly checkedAtMs: number;
}

/**
 * Puts a credential verifier behind the login path's limits (decision 35 left this for the
 * facades): a credential verified from a source is answered from memory for that source for
 * a minute; anything else is counted in the database-backed windows of LOGIN_THROTTLE
 * before it is hashed (given back when it succeeds), and hashes run in one slot with a
 * bounded queue. Unknown identifier, wrong secret and a source outside the allow-list all
 * cost one hash in the verifier and one count here, so none answers sooner than another;
 * throttled and busy answers are held alike.
 */
export class ThrottledVerifier {
  readonly #fingerprintKey = randomBytes(32);
  readonly #verified = new Map<string, Verified>();
  /** Checks under way, by fingerprint: the same credential from the same source arriving meanwhile waits for that check. */
  readonly #checking = new Map<string, Promise<Result<Endpoint, ThrottledFailure>>>();
  readonly #hashing = new BoundedWork({ concurrency: HASH_CONCURRENCY, maxQueued: HASH_QUEUE });
  readonly #refusals: RefusalHold;

  constructor(private readonly deps: ThrottledVerifierDeps) {
    this.#refusals = new RefusalHold(deps.refusalHoldMs ?? REFUSAL_HOLD_MS);
  }

  /** The endpoint of the credential presented from the client's address (as the request came, checked against the allow-list). */
  async verify(identifier: string, secret: string, address: string): Promise<Result<Endpoint, ThrottledFailure>> {
    const outcome = await this.#verify(identifier, secret, address);
    if (!outcome.ok && (outcome.error.kind === 'throttled' || outcome.error.kind === 'busy')) await this.#refusals.hold();
    return outcome;
  }

  async #verify(identifier: string, secret: string, address: string): Promise<Result<Endpoint, ThrottledFailure>> {
    if (identifier.length === 0 || identifier.length > MAX_PART_CHARS || secret.length === 0 || secret.length > MAX_PART_CHARS) {
      return err({ kind: 'malformed' });
    }
    const fingerprint = createHmac('sha256', this.#fingerprintKey).update(`${identifier}\u0000${secret}\u0000${address}`).digest('hex');
    const nowMs = this.deps.clock.now().getTime();
    const known = this.#verified.get(fingerprint);
    if (known && nowMs - known.checkedAtMs < VERIFIED_FRESH_MS && nowMs >= known.checkedAtMs) return ok(known.endpoint);
    this.#verified.delete(fingerprint);
    // When a remembered credential goes stale under load, every request of that partner
    // arrives at once: one check answers them all, instead of each queueing for the one
    // hashing slot and the ones past its queue being refused (the rightful user locked out).
    const checking = this.#checking.get(fingerprint);
    if (checking) return checking;
    const check = this.#check(fingerprint, identifier, secret, address);
    this.#checking.set(fingerprint, check);
    try {
      return await check;
    } finally {
      this.#checking.delete(fingerprint);
    }
  }

  async #check(fingerprint: string, identifier: string, secret: string, address: string): Promise<Result<Endpoint, ThrottledFailure>> {
    // Counted per source as the Basic path counts (an IPv6 /64 is one source), judged by the exact address.
    const keys = credentialThrottleKeys(this.deps.kind, identifier, sourceKey(address));
    const now = this.deps.clock.now();
    const windows = await this.deps.throttle.take(allKeys(keys), now, LOGIN_THROTTLE.windowMs);
    const failures = (key: string) => windows.get(key)?.failures ?? 0;
    // The account-wide limit is not applied: the allow-list already keeps distributed guessers
    // out, and counting their refusals against the account would lock out the merchant's own servers.
    if (failures(keys.accountSource) > LOGIN_THROTTLE.perAccountSource || failures(keys.source) > LOGIN_THROTTLE.perSource) {
      const startedMs = windows.get(keys.accountSource)?.windowStartedAt.getTime() ?? now.getTime();
      return err({ kind: 'throttled', retryAfterMs: Math.max(1, startedMs + LOGIN_THROTTLE.windowMs - now.getTime()) });
    }
    const result = await this.#hashing.run(() => this.deps.verify(identifier, secret, address), 'normal');
    if (result === REFUSED) {
      await this.deps.throttle.giveBack(windows);
      return err({ kind: 'busy' });
    }
    if (!result.ok) return result;
    await this.deps.throttle.giveBack(windows);
    this.#remember(fingerprint, { endpoint: result.value, checkedAtMs: now.getTime() });
    return result;
  }

  #remember(fingerprint: string, entry: Verified): void {
    this.#verified.set(fingerprint, entry);
    if (this.#verified.size > VERIFIED_ENTRIES) {
      const oldest = this.#verified.keys().next();
      if (!oldest.done) this.#verified.delete(oldest.value);
    }
  }
}
