import type { DestinationStream, LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';

/**
 * What an error may bring into a log line; everything else stays out. Drivers attach the
 * failed statement to their errors (PGlite: `query`, `params`), and PostgreSQL's `detail`,
 * `where`, `hint` and `internalQuery` quote row values ("Failing row contains (…)", "Key
 * (…)=(…)"): a queued verification SMS, with its PIN, is one such value.
 */
const KEPT_FIELDS = ['code', 'errno', 'syscall', 'severity', 'schema', 'table', 'column', 'constraint', 'routine', 'statusCode'] as const;
const MAX_CAUSE_DEPTH = 4;
const MAX_AGGREGATED_ERRORS = 8;
// PostgreSQL's error classes whose messages quote the offending input value (22: data exception).
const VALUE_QUOTING_SQLSTATE_CLASSES = ['22'];
const SQLSTATE_PATTERN = /^[0-9A-Z]{5}$/;
const REDACTED = '[redacted]';

// Belt and braces: no log line names these today (request logging is off), none ever may.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.Password',
  '*.token',
  '*.Token',
  '*.pin',
  '*.code_hash',
  '*.VerificationCode',
  '*.AuthorizationToken',
];

/** pino's options for the server's logger: errors without statement parameters, credentials censored. */
export function loggerOptions(level: LogLevel, stream?: DestinationStream): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    serializers: { err: serializeError, error: serializeError },
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    ...(stream === undefined ? {} : { stream }),
  };
}

/** An error as a log line may show it: type, message, stack, a few safe fields, its causes. */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return { type: typeof error, message: String(error) };
  const source = error as Record<string, unknown>;
  const message = typeof source.message === 'string' ? source.message : '';
  const safeMessage = scrubMessage(message, source);
  const serialized: Record<string, unknown> = { type: typeName(error), message: safeMessage };
  if (typeof source.stack === 'string') serialized.stack = message ? source.stack.split(message).join(safeMessage) : source.stack;
  for (const field of KEPT_FIELDS) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number') serialized[field] = value;
  }
  if (depth < MAX_CAUSE_DEPTH && source.cause !== undefined) serialized.cause = serializeError(source.cause, depth + 1);
  if (depth < MAX_CAUSE_DEPTH && Array.isArray(source.errors)) {
    serialized.errors = source.errors.slice(0, MAX_AGGREGATED_ERRORS).map((inner: unknown) => serializeError(inner, depth + 1));
  }
  return serialized;
}

function typeName(error: object): string {
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : error.constructor?.name ?? 'Object';
}

/** A database error of a value-quoting class keeps its message's shape, not the value. */
function scrubMessage(message: string, source: Record<string, unknown>): string {
  const sqlstate = source.code;
  const fromDatabase = typeof source.severity === 'string' && typeof sqlstate === 'string' && SQLSTATE_PATTERN.test(sqlstate);
  if (!fromDatabase || !VALUE_QUOTING_SQLSTATE_CLASSES.includes(sqlstate.slice(0, 2))) return message;
  return message.replace(/"[^"]*"/g, `"${REDACTED}"`).replace(/: .*$/s, `: ${REDACTED}`);
}
