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
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, got ${env.PORT}`);
  const poolSize = Number(env.DATABASE_POOL_SIZE ?? 20);
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 500) throw new Error('DATABASE_POOL_SIZE must be 1-500');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: env.DATA_DIR ?? './data',
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: poolSize,
    sandbox: parseBoolean(env.SANDBOX, true, 'SANDBOX'),
    logLevel: env.LOG_LEVEL ?? 'info',
    production: env.NODE_ENV === 'production',
    workers: parseBoolean(env.WORKERS, true, 'WORKERS'),
  };
}

function parseBoolean(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, got ${value}`);
}
