import { hashSecret, sha256Hex, verifySecret } from '../../kernel/secrets.js';
import { TtlCache } from '../../kernel/ttl-cache.js';
import type { MerchantRepository } from './ports.js';
import type { NewService, ServiceContext } from './types.js';

const MAX_SECRET_LENGTH = 200;
const CREDENTIAL_CACHE_TTL_MS = 60_000;
const CREDENTIAL_CACHE_ENTRIES = 10_000;
/** Failed checks per (service, username) before further checks are refused unhashed. */
const MAX_FAILED_CHECKS = 20;
const FAILED_CHECK_WINDOW_MS = 60_000;
// Verifying against this when the user is unknown keeps the timing of both paths alike.
const UNKNOWN_USER_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * Authenticates services. A successful check is cached under a hash of the exact
 * (service, username, password) triple for a minute, so a password hash is computed
 * once per minute per credential, not per request; a revoked credential stops
 * working within that minute. After MAX_FAILED_CHECKS failures for one (service,
 * username) within a minute of each other, unknown passwords for it are refused without
 * hashing until a quiet minute has passed: guessing costs the guesser, not our CPU. A
 * credential already verified keeps working meanwhile, so a guesser cannot lock out a
 * running merchant.
 */
export class MerchantService {
  readonly #verified = new TtlCache<string, ServiceContext>(CREDENTIAL_CACHE_ENTRIES, CREDENTIAL_CACHE_TTL_MS);
  readonly #verifying = new Map<string, Promise<ServiceContext | null>>();
  readonly #failures = new TtlCache<string, number>(CREDENTIAL_CACHE_ENTRIES, FAILED_CHECK_WINDOW_MS);

  constructor(private readonly repository: MerchantRepository) {}

  async authenticate(serviceId: number, username: string, password: string): Promise<ServiceContext | null> {
    if (!Number.isSafeInteger(serviceId) || serviceId <= 0 || serviceId > 2_147_483_647) return null;
    if (username.length === 0 || username.length > MAX_SECRET_LENGTH) return null;
    if (password.length === 0 || password.length > MAX_SECRET_LENGTH) return null;
    const cacheKey = sha256Hex(`${serviceId}\u0000${username}\u0000${password}`);
    const cached = this.#verified.get(cacheKey);
    if (cached) return cached;
    // Concurrent first requests with one credential share a single hash computation.
    const inFlight = this.#verifying.get(cacheKey);
    if (inFlight) return inFlight;
    const failureKey = `${serviceId}\u0000${username}`;
    const failures = this.#failures.get(failureKey) ?? 0;
    if (failures >= MAX_FAILED_CHECKS) return null;
    const verifying = this.#verify(serviceId, username, password).finally(() => this.#verifying.delete(cacheKey));
    this.#verifying.set(cacheKey, verifying);
    const service = await verifying;
    if (service) this.#verified.set(cacheKey, service);
    else this.#failures.set(failureKey, failures + 1);
    return service;
  }

  async #verify(serviceId: number, username: string, password: string): Promise<ServiceContext | null> {
    const stored = await this.repository.findCredential(serviceId, username);
    const matches = await verifySecret(password, stored?.passwordHash ?? UNKNOWN_USER_HASH);
    return stored && matches ? stored.service : null;
  }

  async createMerchant(name: string, isDemo = false): Promise<number> {
    return this.repository.createMerchant(name, isDemo);
  }

  async createService(service: NewService, username: string, password: string): Promise<void> {
    await this.repository.createService(service);
    await this.repository.addCredential(service.serviceId, username, await hashSecret(password));
  }

  async serviceExists(serviceId: number): Promise<boolean> {
    return this.repository.serviceExists(serviceId);
  }
}
