import { isIP } from 'node:net';
import { DEFAULT_CONFIRMATION_TIMEOUT_MS } from './core/confirmations/service.js';

/** Configuration from the environment, validated once at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  sandbox: boolean;
  logLevel: string;
  production: boolean;
  /** Background jobs (outbox delivery, settlement) run in this process. */
  workers: boolean;
  /** How long a Pay with SecurityLevel 2 waits for the subscriber's answer. */
  confirmationTimeoutMs: number;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses or CIDRs), or how many hops;
   * false: the TCP peer is the client. Throttles and allow-lists count the client address.
   */
  trustProxy: false | number | string[];
  /** On SIGTERM, how long waits for a subscriber's answer may still end with it before they are abandoned. */
  shutdownGraceMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    // 0 asks the system for a free port (tests, benchmarks).
    port: parseBoundedInt(env.PORT, 8080, 0, 65_535, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    dataDir: env.DATA_DIR ?? './data',
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: parseBoundedInt(env.DATABASE_POOL_SIZE, 20, 1, 500, 'DATABASE_POOL_SIZE'),
    sandbox: parseBoolean(env.SANDBOX, true, 'SANDBOX'),
    logLevel: env.LOG_LEVEL ?? 'info',
    production: env.NODE_ENV === 'production',
    workers: parseBoolean(env.WORKERS, true, 'WORKERS'),
    confirmationTimeoutMs: parseBoundedInt(env.CONFIRMATION_TIMEOUT_MS, DEFAULT_CONFIRMATION_TIMEOUT_MS, 1_000, 600_000, 'CONFIRMATION_TIMEOUT_MS'),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    // Below the 30 s the CLI gives a shutdown in all, so abandoned waits are still answered.
    shutdownGraceMs: parseBoundedInt(env.SHUTDOWN_GRACE_MS, 10_000, 0, 20_000, 'SHUTDOWN_GRACE_MS'),
  };
}

const MAX_TRUSTED_PROXIES = 64;
const CIDR = /^(?<address>[0-9a-fA-F:.]+)(?:\/(?<bits>\d{1,3}))?$/;

/** TRUST_PROXY: unset or empty (trust no proxy), a hop count 1-10, or a comma-separated list of addresses and CIDRs. */
function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value.trim() === '') return false;
  if (/^\d+$/.test(value.trim())) return parseBoundedInt(value.trim(), 0, 1, 10, 'TRUST_PROXY');
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.length > MAX_TRUSTED_PROXIES) throw new Error(`TRUST_PROXY lists more than ${MAX_TRUSTED_PROXIES} entries`);
  for (const entry of entries) {
    const match = CIDR.exec(entry);
    const version = isIP(match?.groups?.address ?? '');
    const bits = match?.groups?.bits === undefined ? null : Number(match.groups.bits);
    if (version === 0 || (bits !== null && bits > (version === 4 ? 32 : 128))) {
      throw new Error(`TRUST_PROXY must be a hop count or a comma-separated list of IP addresses and CIDRs, got ${entry}`);
    }
  }
  return entries;
}

function parseBoolean(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, got ${value}`);
}

function parseBoundedInt(value: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new Error(`${name} must be an integer ${min}-${max}, got ${value}`);
  return parsed;
}
