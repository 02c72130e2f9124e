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
  };
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
