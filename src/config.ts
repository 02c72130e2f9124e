import { accessSync, constants, type Stats, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { DEFAULT_CONFIRMATION_TIMEOUT_MS } from './core/confirmations/service.js';

/** pino's levels: any other LOG_LEVEL would fail only once the logger is built, after the database. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** PGlite keeps nothing on disk with this DATA_DIR. */
export const IN_MEMORY_DATA_DIR = 'memory://';

export const METRICS_TOKEN_MIN_CHARS = 16;
const METRICS_TOKEN_MAX_CHARS = 512;
// Printable ASCII without spaces: it travels in an Authorization header.
const METRICS_TOKEN_PATTERN = /^[\x21-\x7e]+$/;
// RFC 1123 host names; IP addresses are checked by node:net.
const HOST_NAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
// The sandbox ships demo credentials: it listens on this machine only unless HOST says otherwise.
const SANDBOX_DEFAULT_HOST = '127.0.0.1';
const ALL_INTERFACES = '0.0.0.0';

/** Configuration from the environment, validated once at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  sandbox: boolean;
  logLevel: LogLevel;
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
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /**
   * Keys that seal Infomedia MX values, "id:base64,id:base64" (the first seals, all open);
   * unset outside production: a key generated into DATA_DIR on first start.
   */
  infomediaMxKeys: string | undefined;
  /** Where SMS go: the sandbox network's inboxes, or an SMSC over SMPP (every SMS, even with the sandbox on). */
  sms: SmsConfig;
}

export type SmsConfig = { connector: 'sandbox' } | { connector: 'smpp'; smpp: SmppConfig };

export interface SmppConfig {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType: string;
  /** Sender of every SMS when set; otherwise each message's own. */
  sourceAddr: string | undefined;
  window: number;
  /** submit_sm a second at most; 0: no limit of ours. */
  tps: number;
  longMessages: 'udh' | 'payload';
  /** How the SMSC's receipts write the id its submit_sm_resp gave: as-sent, or the same number in decimal or in hex. */
  receiptIds: 'as-sent' | 'decimal' | 'hex';
}

/**
 * Reads and checks every variable before anything else happens, so that a mistake is
 * reported at once and by its variable's name, not seconds later by whatever trips on it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const sandbox = parseBoolean(env.SANDBOX, true, 'SANDBOX');
  const databaseUrl = parseDatabaseUrl(env.DATABASE_URL);
  const dataDir = env.DATA_DIR ?? './data';
  // DATA_DIR is only used by the embedded database.
  if (databaseUrl === undefined) checkDataDir(dataDir);
  return {
    // 0 asks the system for a free port (tests, benchmarks).
    port: parseBoundedInt(env.PORT, 8080, 0, 65_535, 'PORT'),
    host: parseHost(env.HOST, sandbox ? SANDBOX_DEFAULT_HOST : ALL_INTERFACES),
    dataDir,
    databaseUrl,
    databasePoolSize: parseBoundedInt(env.DATABASE_POOL_SIZE, 20, 1, 500, 'DATABASE_POOL_SIZE'),
    sandbox,
    logLevel: parseLogLevel(env.LOG_LEVEL),
    production: env.NODE_ENV === 'production',
    workers: parseBoolean(env.WORKERS, true, 'WORKERS'),
    confirmationTimeoutMs: parseBoundedInt(env.CONFIRMATION_TIMEOUT_MS, DEFAULT_CONFIRMATION_TIMEOUT_MS, 1_000, 600_000, 'CONFIRMATION_TIMEOUT_MS'),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    // Below the 30 s the CLI gives a shutdown in all, so abandoned waits are still answered.
    shutdownGraceMs: parseBoundedInt(env.SHUTDOWN_GRACE_MS, 10_000, 0, 20_000, 'SHUTDOWN_GRACE_MS'),
    metricsToken: parseMetricsToken(env.METRICS_TOKEN),
    infomediaMxKeys: env.INFOMEDIA_MX_KEYS === undefined || env.INFOMEDIA_MX_KEYS === '' ? undefined : env.INFOMEDIA_MX_KEYS,
    sms: parseSmsConfig(env),
  };
}

// SMPP 3.4 §5.2: system_id 16 octets, password 9, system_type 13, source_addr 21 (alphanumeric 11).
const SMPP_FIELD_MAX = { systemId: 16, password: 9, systemType: 13, sourceAddr: 20 } as const;
const SMPP_DEFAULT_PORT = 2775;

/** SMS_CONNECTOR=sandbox|smpp; with smpp, SMPP_URL=smpp://system_id:password@host:port and the SMPP_* settings. */
function parseSmsConfig(env: NodeJS.ProcessEnv): SmsConfig {
  const connector = env.SMS_CONNECTOR === undefined || env.SMS_CONNECTOR === '' ? 'sandbox' : env.SMS_CONNECTOR;
  if (connector === 'sandbox') return { connector };
  if (connector !== 'smpp') throw new Error(`SMS_CONNECTOR must be sandbox or smpp, got ${JSON.stringify(connector)}`);
  const { host, port, systemId, password } = parseSmppUrl(env.SMPP_URL);
  const systemType = env.SMPP_SYSTEM_TYPE ?? '';
  if (systemType.length > SMPP_FIELD_MAX.systemType || !/^[\x20-\x7e]*$/.test(systemType)) {
    throw new Error(`SMPP_SYSTEM_TYPE must be at most ${SMPP_FIELD_MAX.systemType} printable ASCII characters`);
  }
  const sourceAddr = env.SMPP_SOURCE_ADDR === undefined || env.SMPP_SOURCE_ADDR === '' ? undefined : env.SMPP_SOURCE_ADDR;
  if (sourceAddr !== undefined && !/^[0-9A-Za-z +._-]{1,20}$/.test(sourceAddr)) {
    throw new Error(`SMPP_SOURCE_ADDR must be 1-${SMPP_FIELD_MAX.sourceAddr} letters, digits, spaces or + . _ -`);
  }
  const longMessages = env.SMPP_LONG_MESSAGES === undefined || env.SMPP_LONG_MESSAGES === '' ? 'udh' : env.SMPP_LONG_MESSAGES;
  if (longMessages !== 'udh' && longMessages !== 'payload') throw new Error(`SMPP_LONG_MESSAGES must be udh or payload, got ${JSON.stringify(longMessages)}`);
  const receiptIds = env.SMPP_RECEIPT_IDS === undefined || env.SMPP_RECEIPT_IDS === '' ? 'as-sent' : env.SMPP_RECEIPT_IDS;
  if (receiptIds !== 'as-sent' && receiptIds !== 'decimal' && receiptIds !== 'hex') {
    throw new Error(`SMPP_RECEIPT_IDS must be as-sent, decimal or hex, got ${JSON.stringify(receiptIds).slice(0, 40)}`);
  }
  return {
    connector,
    smpp: {
      host,
      port,
      systemId,
      password,
      systemType,
      sourceAddr,
      window: parseBoundedInt(env.SMPP_WINDOW, 10, 1, 1_000, 'SMPP_WINDOW'),
      tps: parseBoundedInt(env.SMPP_TPS, 0, 0, 100_000, 'SMPP_TPS'),
      longMessages,
      receiptIds,
    },
  };
}

function parseSmppUrl(value: string | undefined): Pick<SmppConfig, 'host' | 'port' | 'systemId' | 'password'> {
  const shape = 'SMPP_URL must be smpp://system_id:password@host:port';
  if (value === undefined || value === '') throw new Error(`SMS_CONNECTOR=smpp needs SMPP_URL (${shape.slice('SMPP_URL must be '.length)})`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Never the value itself: it holds a password.
    throw new Error(`${shape}, got something that is not a URL`);
  }
  if (url.protocol !== 'smpp:') throw new Error(`${shape}, got a ${url.protocol} URL`);
  const systemId = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (systemId === '' || systemId.length > SMPP_FIELD_MAX.systemId) throw new Error(`${shape}; the system_id must be 1-${SMPP_FIELD_MAX.systemId} characters`);
  if (password.length > SMPP_FIELD_MAX.password) throw new Error(`${shape}; the password must be at most ${SMPP_FIELD_MAX.password} characters`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new Error(`${shape}; the host is missing`);
  if (url.pathname !== '' && url.pathname !== '/') throw new Error(`${shape}; without a path`);
  return { host, port: url.port === '' ? SMPP_DEFAULT_PORT : Number(url.port), systemId, password };
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

function parseDatabaseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === 'postgres:' || protocol === 'postgresql:') return value;
  // Never the value itself: it may hold a password.
  const got = protocol === undefined ? 'not a URL' : `a ${protocol} URL`;
  throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// URL, got ${got}`);
}

function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  const level = LOG_LEVELS.find((candidate) => candidate === value.toLowerCase());
  if (level === undefined) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${value}`);
  return level;
}

function parseHost(value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  if (isIP(value) !== 0 || HOST_NAME_PATTERN.test(value)) return value;
  throw new Error(`HOST must be an IP address (without brackets) or a host name, got ${JSON.stringify(value)}`);
}

function parseMetricsToken(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  // Never the token itself in a message: only its length.
  if (value.length < METRICS_TOKEN_MIN_CHARS || value.length > METRICS_TOKEN_MAX_CHARS) {
    throw new Error(`METRICS_TOKEN must be ${METRICS_TOKEN_MIN_CHARS}-${METRICS_TOKEN_MAX_CHARS} characters long, got ${value.length}`);
  }
  if (!METRICS_TOKEN_PATTERN.test(value)) throw new Error('METRICS_TOKEN must be printable ASCII without spaces');
  return value;
}

/**
 * DATA_DIR must be a directory the embedded database can write, or one that can be created.
 * Checked here because PGlite reports neither clearly: a bare `ErrnoError { errno: 2 }`.
 */
function checkDataDir(dataDir: string): void {
  if (dataDir === IN_MEMORY_DATA_DIR || dataDir === '') return;
  const target = resolve(dataDir);
  let existing = target;
  let stats = statIfExists(existing);
  while (stats === undefined && dirname(existing) !== existing) {
    existing = dirname(existing);
    stats = statIfExists(existing);
  }
  const subject = existing === target ? `DATA_DIR ${dataDir}` : `DATA_DIR ${dataDir} cannot be created: ${existing}`;
  if (stats === undefined || !stats.isDirectory()) throw new Error(`${subject} is not a directory`);
  if (!writableDirectory(existing, stats, existing === target)) throw new Error(`${subject} is not writable`);
}

function statIfExists(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    // ENOTDIR: a file stands where a parent directory should be; the walk up finds it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

// Any read, write and search bit: PGlite's file system (Emscripten) checks the mode bits
// itself and ignores the user, so a mode-000 directory fails there even for root.
const ANY_READ_WRITE_SEARCH = [0o444, 0o222, 0o111] as const;

function writableDirectory(path: string, stats: Stats, openedByPglite: boolean): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    return false;
  }
  return !openedByPglite || ANY_READ_WRITE_SEARCH.every((bits) => (stats.mode & bits) !== 0);
}
