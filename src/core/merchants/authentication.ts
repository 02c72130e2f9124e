import { createHmac, randomBytes } from 'node:crypto';
import { assert } from '../../kernel/assert.js';
import { BoundedWork, REFUSED } from '../../kernel/bounded-work.js';
import type { Clock } from '../../kernel/clock.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { verifySecret } from '../../kernel/secrets.js';
import { TokenBucket } from '../../kernel/token-bucket.js';
import { TtlCache } from '../../kernel/ttl-cache.js';
import type { FailureWindow, LoginThrottleStore, MerchantRepository, StoredCredential } from './ports.js';
import { allKeys, LOGIN_THROTTLE, RefusalHold, type ThrottleKeys, throttleKeys, throttleVerdict } from './throttle.js';
import type { ServiceContext } from './types.js';

const MAX_SECRET_LENGTH = 200;
/** How long a verified credential is trusted without looking at its row again. */
const VERIFIED_FRESH_MS = 60_000;
/** A verified credential in use and older than this is re-checked in the background. */
const REFRESH_AHEAD_MS = 45_000;
/** A verified credential unused this long is forgotten (and needs a hash again). */
const VERIFIED_IDLE_MS = 24 * 60 * 60_000;
const VERIFIED_ENTRIES = 10_000;
const SOURCES_PER_CREDENTIAL = 64;
/** How often the sources of a credential in steady use are recorded as seen again. */
const SOURCES_SAVE_INTERVAL_MS = 60 * 60_000;
/** Sources not seen for this long stop counting as the credential's own. */
export const KNOWN_SOURCE_RETENTION_MS = 30 * 24 * 60 * 60_000;
/** Remembered throttle locks: a hint that spares the database, never the only record. */
const LOCK_HINTS = 100_000;
/** scrypt takes a core for ~15-80 ms: one at a time leaves the other core to paying traffic. */
const HASH_CONCURRENCY = 1;
const HASH_QUEUE = 32;
/**
 * Hashes a second for sources that never verified the credential (a new merchant server, or
 * a flood of junk names from many addresses): scrypt takes ~40 ms of a core, so 5 a second
 * cost a tenth of this two-core machine at most. Known sources are not held to it.
 */
const UNKNOWN_SOURCE_HASHES = { ratePerSecond: 5, burst: 20 } as const;
/**
 * A throttled or busy answer is held this long: a refusal costs the server almost nothing,
 * so a flooder answered at once would come back thousands of times a second and take the
 * event loop from the merchants; held, each of its connections asks once a second.
 */
const REFUSAL_HOLD_MS = 1_000;
// Verifying against this when the user is unknown keeps the timing of both paths alike.
const UNKNOWN_USER_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export interface PasswordCredentials {
  readonly serviceId: number;
  readonly username: string;
  readonly password: string;
  /** The client's address as sourceKey() gives it. */
  readonly source: string;
}

/** Why a check failed; each facade words these in its own fault. */
export type AuthenticationFailure =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'throttled'; readonly retryAfterMs: number }
  | { readonly kind: 'busy' };

interface VerifiedCredential {
  service: ServiceContext;
  readonly credentialId: number;
  readonly username: string;
  readonly passwordHash: string;
  readonly sources: Set<string>;
  checkedAtMs: number;
  sourcesSavedAtMs: number;
  /** The row check under way, shared by whoever needs its answer. */
  recheck: Promise<boolean> | null;
}

export interface AuthenticatorDeps {
  credentials: Pick<MerchantRepository, 'findCredential'>;
  throttle: LoginThrottleStore;
  clock: Clock;
  /** The password hash check (tests count it). */
  verify?: (secret: string, stored: string) => Promise<boolean>;
  /** The budget of hashes for sources that never verified the credential (tests widen it). */
  unknownSourceHashes?: { ratePerSecond: number; burst: number };
  /** How long a throttled or busy answer is held (tests shorten it). */
  refusalHoldMs?: number;
}

type Outcome = Result<ServiceContext, AuthenticationFailure>;

/**
 * Authenticates services by username and password (see throttle.ts for the limits).
 *
 * A credential verified from a source is remembered under a keyed hash of the exact
 * (service, username, password) and answered from memory for that source from then on.
 * Its row is looked at again — a cheap read, never a hash — in the background once the
 * entry is 45 s old and in use, or inline once it is older than 60 s, so a revoked or
 * changed password stops working within a minute while no request of a busy merchant
 * waits for a hash. Anything else is counted against the throttle before it is hashed,
 * and hashing runs in one slot with a bounded queue (known sources first) and, for
 * sources that never verified the credential, a budget of hashes a second, so a flood of
 * bad logins costs the flooder, not the merchants.
 */
export class PasswordAuthenticator {
  readonly #fingerprintKey = randomBytes(32);
  /** In least-recently-used order: an entry is moved to the end when it is used. */
  readonly #verified = new Map<string, VerifiedCredential>();
  readonly #inFlight = new Map<string, Promise<Outcome>>();
  readonly #lockedUntilMs: TtlCache<string, number>;
  readonly #hashing = new BoundedWork({ concurrency: HASH_CONCURRENCY, maxQueued: HASH_QUEUE });
  readonly #unknownSourceHashes: TokenBucket;
  readonly #verify: (secret: string, stored: string) => Promise<boolean>;
  readonly #refusals: RefusalHold;

  constructor(private readonly deps: AuthenticatorDeps) {
    this.#verify = deps.verify ?? verifySecret;
    this.#refusals = new RefusalHold(deps.refusalHoldMs ?? REFUSAL_HOLD_MS);
    this.#lockedUntilMs = new TtlCache(LOCK_HINTS, LOGIN_THROTTLE.windowMs, () => deps.clock.now().getTime());
    this.#unknownSourceHashes = new TokenBucket(deps.unknownSourceHashes ?? UNKNOWN_SOURCE_HASHES, () => deps.clock.now().getTime());
  }

  async authenticate(credentials: PasswordCredentials): Promise<Outcome> {
    const outcome = await this.#authenticate(credentials);
    if (!outcome.ok && outcome.error.kind !== 'invalid') await this.#refusals.hold();
    return outcome;
  }

  async #authenticate(credentials: PasswordCredentials): Promise<Outcome> {
    if (!wellFormed(credentials)) return err({ kind: 'invalid' });
    const fingerprint = this.#fingerprint(credentials);
    const known = this.#verified.get(fingerprint);
    if (known?.sources.has(credentials.source)) return this.#fromMemory(fingerprint, known, credentials);
    // Concurrent first requests with one credential from one source share a single check.
    const flightKey = `${fingerprint}\u0000${credentials.source}`;
    const inFlight = this.#inFlight.get(flightKey);
    if (inFlight) return inFlight;
    const checking = this.#check(credentials, fingerprint).finally(() => this.#inFlight.delete(flightKey));
    this.#inFlight.set(flightKey, checking);
    return checking;
  }

  /** Deletes expired throttle windows and long-unseen sources; returns how many rows went. */
  prune(): Promise<number> {
    const nowMs = this.#nowMs();
    return this.deps.throttle.prune(new Date(nowMs - LOGIN_THROTTLE.windowMs), new Date(nowMs - KNOWN_SOURCE_RETENTION_MS));
  }

  async #fromMemory(fingerprint: string, entry: VerifiedCredential, credentials: PasswordCredentials): Promise<Outcome> {
    const ageMs = this.#nowMs() - entry.checkedAtMs;
    this.#touch(fingerprint, entry);
    if (ageMs < VERIFIED_FRESH_MS) {
      if (ageMs >= REFRESH_AHEAD_MS) void this.#recheck(fingerprint, entry).catch(() => {});
      return ok(entry.service);
    }
    // Unused for a while: its row decides, inline (a read, no hash).
    if (await this.#recheck(fingerprint, entry)) return ok(entry.service);
    return this.#check(credentials, fingerprint);
  }

  /** Whether the credential's row is unchanged (not revoked, same hash); forgets the entry otherwise. */
  #recheck(fingerprint: string, entry: VerifiedCredential): Promise<boolean> {
    entry.recheck ??= this.#readRow(fingerprint, entry).finally(() => {
      entry.recheck = null;
    });
    return entry.recheck;
  }

  async #readRow(fingerprint: string, entry: VerifiedCredential): Promise<boolean> {
    const stored = await this.deps.credentials.findCredential(entry.service.serviceId, entry.username);
    if (!stored || stored.credentialId !== entry.credentialId || stored.passwordHash !== entry.passwordHash) {
      this.#verified.delete(fingerprint);
      return false;
    }
    entry.service = stored.service;
    entry.checkedAtMs = this.#nowMs();
    await this.#saveSourcesIfDue(entry);
    return true;
  }

  async #check(credentials: PasswordCredentials, fingerprint: string): Promise<Outcome> {
    const keys = throttleKeys(credentials.serviceId, credentials.username, credentials.source);
    const hinted = this.#lockHint(keys);
    if (hinted > 0) return err({ kind: 'throttled', retryAfterMs: hinted });
    // The budget is taken in arrival order, before anything is awaited, so which of many
    // concurrent checks are let through is plain; a known source gives its token back.
    const tokenTaken = this.#unknownSourceHashes.take();
    const stored = await this.deps.credentials.findCredential(credentials.serviceId, credentials.username);
    const knownSource = stored !== null && (await this.deps.throttle.isKnownSource(stored.credentialId, credentials.source));
    if (knownSource && tokenTaken) this.#unknownSourceHashes.giveBack();
    // Out of budget: refused before anything is written, so a flood costs the database nothing.
    // Nothing is checked either, so there is nothing to count.
    if (!knownSource && !tokenTaken) return err({ kind: 'busy' });
    const now = this.deps.clock.now();
    const windows = await this.deps.throttle.take(allKeys(keys), now, LOGIN_THROTTLE.windowMs);
    const verdict = throttleVerdict({
      accountSource: failuresOf(windows, keys.accountSource),
      source: failuresOf(windows, keys.source),
      account: failuresOf(windows, keys.account),
    });
    if (verdict === 'refuse') return err({ kind: 'throttled', retryAfterMs: this.#rememberLocks(keys, windows) });
    if (verdict === 'known_sources_only' && !knownSource) {
      return err({ kind: 'throttled', retryAfterMs: windowEndMs(windows, keys.account) - now.getTime() });
    }
    const matches = this.#verifiedAgainst(fingerprint, stored) ? true : await this.#hash(credentials, stored, knownSource);
    if (matches === REFUSED) {
      await this.deps.throttle.giveBack(windows);
      return err({ kind: 'busy' });
    }
    if (!stored || !matches) return err({ kind: 'invalid' });
    await this.deps.throttle.giveBack(windows);
    if (!knownSource) await this.deps.throttle.rememberSource(stored.credentialId, credentials.source, now);
    this.#remember(fingerprint, stored, credentials);
    return ok(stored.service);
  }

  /** Whether this exact password was already verified against the stored hash (from another source): no new hash needed. */
  #verifiedAgainst(fingerprint: string, stored: StoredCredential | null): boolean {
    const earlier = this.#verified.get(fingerprint);
    return stored !== null && earlier !== undefined && earlier.credentialId === stored.credentialId && earlier.passwordHash === stored.passwordHash;
  }

  /** The password hash check, in the bounded slot (known sources first). */
  #hash(credentials: PasswordCredentials, stored: StoredCredential | null, knownSource: boolean): Promise<boolean | typeof REFUSED> {
    const hash = stored?.passwordHash ?? UNKNOWN_USER_HASH;
    return this.#hashing.run(() => this.#verify(credentials.password, hash), knownSource ? 'high' : 'normal');
  }

  #remember(fingerprint: string, stored: StoredCredential, credentials: PasswordCredentials): void {
    const nowMs = this.#nowMs();
    let entry = this.#verified.get(fingerprint);
    if (!entry || entry.credentialId !== stored.credentialId || entry.passwordHash !== stored.passwordHash) {
      entry = {
        service: stored.service,
        credentialId: stored.credentialId,
        username: credentials.username,
        passwordHash: stored.passwordHash,
        sources: new Set(),
        checkedAtMs: nowMs,
        sourcesSavedAtMs: nowMs,
        recheck: null,
      };
    }
    if (entry.sources.size >= SOURCES_PER_CREDENTIAL) {
      const oldest = entry.sources.values().next();
      if (!oldest.done) entry.sources.delete(oldest.value);
    }
    entry.sources.add(credentials.source);
    entry.service = stored.service;
    entry.checkedAtMs = nowMs;
    this.#touch(fingerprint, entry);
  }

  /** Moves the entry to the most recently used end; drops the least recently used and the idle ones. */
  #touch(fingerprint: string, entry: VerifiedCredential): void {
    this.#verified.delete(fingerprint);
    this.#verified.set(fingerprint, entry);
    const nowMs = this.#nowMs();
    for (const [key, oldest] of this.#verified) {
      const idle = nowMs - oldest.checkedAtMs > VERIFIED_IDLE_MS;
      if (!idle && this.#verified.size <= VERIFIED_ENTRIES) break;
      this.#verified.delete(key);
    }
  }

  async #saveSourcesIfDue(entry: VerifiedCredential): Promise<void> {
    const now = this.deps.clock.now();
    if (now.getTime() - entry.sourcesSavedAtMs < SOURCES_SAVE_INTERVAL_MS) return;
    entry.sourcesSavedAtMs = now.getTime();
    // Best effort: a source not re-recorded only matters to the throttle a month from now.
    for (const source of entry.sources) await this.deps.throttle.rememberSource(entry.credentialId, source, now).catch(() => {});
  }

  /** ms until a lock this process already saw on the account-and-source or the source ends; 0: none known. */
  #lockHint(keys: ThrottleKeys): number {
    const nowMs = this.#nowMs();
    const until = Math.max(this.#lockedUntilMs.get(keys.accountSource) ?? 0, this.#lockedUntilMs.get(keys.source) ?? 0);
    return until > nowMs ? until - nowMs : 0;
  }

  /** Notes the keys that are over their limits; answers ms until the last of them ends. */
  #rememberLocks(keys: ThrottleKeys, windows: ReadonlyMap<string, FailureWindow>): number {
    const nowMs = this.#nowMs();
    let untilMs = nowMs;
    const over: [string, number][] = [
      [keys.accountSource, LOGIN_THROTTLE.perAccountSource],
      [keys.source, LOGIN_THROTTLE.perSource],
    ];
    for (const [key, limit] of over) {
      if (failuresOf(windows, key) <= limit) continue;
      const endMs = windowEndMs(windows, key);
      this.#lockedUntilMs.set(key, endMs);
      untilMs = Math.max(untilMs, endMs);
    }
    return untilMs - nowMs;
  }

  #fingerprint(c: PasswordCredentials): string {
    return createHmac('sha256', this.#fingerprintKey).update(`${c.serviceId}\u0000${c.username}\u0000${c.password}`).digest('hex');
  }

  #nowMs(): number {
    return this.deps.clock.now().getTime();
  }
}

function wellFormed(c: PasswordCredentials): boolean {
  if (!Number.isSafeInteger(c.serviceId) || c.serviceId <= 0 || c.serviceId > 2_147_483_647) return false;
  return c.username.length > 0 && c.username.length <= MAX_SECRET_LENGTH && c.password.length > 0 && c.password.length <= MAX_SECRET_LENGTH;
}

function failuresOf(windows: ReadonlyMap<string, FailureWindow>, key: string): number {
  const window = windows.get(key);
  assert(window !== undefined, 'the throttle store answers a window for every key it is given');
  return window.failures;
}

function windowEndMs(windows: ReadonlyMap<string, FailureWindow>, key: string): number {
  return (windows.get(key)?.windowStartedAt.getTime() ?? 0) + LOGIN_THROTTLE.windowMs;
}
