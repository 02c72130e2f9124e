import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { loggerOptions, serializeError } from '../../src/logging.js';

/** A database error as PGlite raises it: the statement and its parameters attached. */
function pgliteError(message: string, code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), {
    name: 'error',
    severity: 'ERROR',
    code,
    detail: 'Failing row contains (1, sms.send, {"text": "Your verification code is 123456"}).',
    where: 'PL/pgSQL function issue_verification_code(…) line 17 at SQL statement',
    hint: 'a hint',
    internalQuery: 'INSERT …',
    schema: 'public',
    table: 'outbox_events',
    constraint: 'outbox_refuses_sms',
    query: 'SELECT issue_verification_code($1, $2, $3, $4, $5, $6, $7, $8)',
    params: [1000, '+4790000000', 'scrypt$…', null, null, null, 5, '{"text":"Your verification code is 123456"}'],
    queryOptions: {},
    ...extra,
  });
}

describe('log serializers', () => {
  it('an error keeps its type, message, stack and safe fields; never the statement, parameters or row', () => {
    const error = pgliteError('new row for relation "outbox_events" violates check constraint "outbox_refuses_sms"', '23514');
    const { stack, ...rest } = serializeError(error);
    assert.deepEqual(rest, {
      type: 'error',
      message: 'new row for relation "outbox_events" violates check constraint "outbox_refuses_sms"',
      code: '23514',
      severity: 'ERROR',
      schema: 'public',
      table: 'outbox_events',
      constraint: 'outbox_refuses_sms',
    });
    assert.match(String(stack), /^error: new row for relation/);
  });

  it('a data exception (SQLSTATE class 22) quotes the value in its message: the value is scrubbed, in the stack too', () => {
    const error = pgliteError('invalid input syntax for type integer: "123456"', '22P02');
    const serialized = serializeError(error);
    assert.equal(serialized.message, 'invalid input syntax for type integer: [redacted]');
    assert.doesNotMatch(String(serialized.stack), /123456/);
    assert.equal(serializeError(pgliteError('value "9876543210" is out of range for type integer', '22003')).message, 'value "[redacted]" is out of range for type integer');
    // Not from a database (no severity): a message is left as it is.
    assert.equal(serializeError(Object.assign(new Error('a: "b"'), { code: '22P02' })).message, 'a: "b"');
  });

  it('causes and aggregated errors are serialized by the same rules; other thrown values by their type', () => {
    const wrapped = new Error('settlement failed', { cause: pgliteError('deadlock detected', '40P01') });
    const serialized = serializeError(wrapped) as { cause: Record<string, unknown> };
    assert.deepEqual(Object.keys(serialized.cause).sort(), ['code', 'constraint', 'message', 'schema', 'severity', 'stack', 'table', 'type']);
    const aggregate = serializeError(new AggregateError([pgliteError('x', '23505')], 'both failed')) as { errors: Record<string, unknown>[] };
    assert.equal(aggregate.errors[0]?.params, undefined);
    assert.deepEqual(serializeError({ name: 'ErrnoError', errno: 2 }), { type: 'ErrnoError', message: '', errno: 2 });
    assert.deepEqual(serializeError('plain'), { type: 'string', message: 'plain' });
  });

  it('the logger censors credentials and uses the serializer for err', () => {
    const lines: string[] = [];
    const log = pino(loggerOptions('info'), { write: (line: string) => void lines.push(line) });
    log.info({ req: { headers: { authorization: 'Basic ZGVtbzpkZW1vLXBhc3N3b3Jk' } }, body: { Password: 'demo-password', VerificationCode: '123456' } }, 'hello');
    log.error({ err: pgliteError('boom', 'XX000') }, 'failed');
    log.error(pgliteError('boom', 'XX000'), 'failed as the first argument');
    const text = lines.join('');
    assert.doesNotMatch(text, /ZGVtbzpkZW1v|demo-password|123456|"params"|"query"|Failing row/);
    assert.deepEqual(JSON.parse(lines[0] as string).body, { Password: '[redacted]', VerificationCode: '[redacted]' });
    assert.equal(JSON.parse(lines[2] as string).err.code, 'XX000');
  });
});
