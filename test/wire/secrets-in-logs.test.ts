import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { DEMO_AUTH, engines, startTestApp, type TestApp } from '../support/app.js';

const CREDENTIALS_XML =
  '<ServiceCredentials><Password>demo-password</Password><ServiceId>1000</ServiceId><Username>demo</Username></ServiceCredentials>';
const SECRET_TEMPLATE = 'TOPSECRET-MARKER {0}';
// What a log line may say about an error; never the statement, its parameters or row values.
const ALLOWED_ERROR_FIELDS = new Set(['type', 'message', 'stack', 'code', 'errno', 'syscall', 'severity', 'schema', 'table', 'column', 'constraint', 'routine', 'statusCode', 'cause', 'errors']);

/** Everything written to the process's stdout and stderr meanwhile, passed through as well. */
async function capturingOutput<T>(work: () => Promise<T>): Promise<{ result: T; output: string }> {
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  let output = '';
  const tap = (stream: NodeJS.WriteStream, original: typeof process.stdout.write) =>
    ((chunk: string | Uint8Array, ...rest: never[]) => {
      output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return original.call(stream, chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = tap(process.stdout, originals.stdout);
  process.stderr.write = tap(process.stderr, originals.stderr);
  try {
    return { result: await work(), output };
  } finally {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
  }
}

/**
 * A verification SMS (PIN in its text) whose queueing statement fails: the failure is
 * logged, its parameters and the failing row are not, on either engine.
 */
for (const engine of engines()) {
  describe(`secrets in logs [${engine}]`, () => {
    let t: TestApp;
    const logLines: string[] = [];
    before(async () => {
      const logStream = { write: (line: string) => void logLines.push(line) };
      t = await startTestApp(engine, 'secret_logs', { logLevel: 'trace' }, { logger: true, logStream });
      // A constraint violation: PostgreSQL's detail quotes the whole failing row, payload and all.
      await sql`ALTER TABLE outbox_events ADD CONSTRAINT outbox_refuses_sms CHECK (topic <> 'sms.send')`.execute(t.app.db.kysely);
    });
    after(() => t.close());

    const failureLines = (message: string) =>
      logLines.map((line) => JSON.parse(line) as { msg: string; err?: Record<string, unknown> }).filter((line) => line.msg === message);

    const assertLoggedWithoutSecrets = (message: string, output: string, secret: string) => {
      const [line, ...more] = failureLines(message);
      assert.equal(more.length, 0);
      const err = line?.err ?? {};
      assert.deepEqual(
        { type: err.type, message: err.message, code: err.code, table: err.table, constraint: err.constraint },
        {
          // Both drivers name their database errors "error".
          type: 'error',
          message: 'new row for relation "outbox_events" violates check constraint "outbox_refuses_sms"',
          code: '23514',
          table: 'outbox_events',
          constraint: 'outbox_refuses_sms',
        },
      );
      assert.deepEqual(Object.keys(err).filter((field) => !ALLOWED_ERROR_FIELDS.has(field)), []);
      for (const text of [logLines.join(''), output]) {
        assert.equal(text.includes(secret), false, `the secret ${secret} in the output`);
        assert.doesNotMatch(text, /"params"|"parameters"|"query"|Failing row|demo-password|Basic ZGVt/);
      }
    };

    it('REST SendVerificationCode: code 5, and the log line has no PIN, SMS text, statement or row', async () => {
      const { result, output } = await capturingOutput(() =>
        t.app.http.inject({
          method: 'POST',
          url: '/RestV1.svc/service/1000/verificationcode',
          headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
          payload: JSON.stringify({ Msisdn: '+4790000000', Template: SECRET_TEMPLATE }),
        }),
      );
      assert.deepEqual({ status: result.statusCode, body: result.json() }, { status: 500, body: { Code: 5, Description: 'Internal server error' } });
      assertLoggedWithoutSecrets('strex request failed', output, 'TOPSECRET-MARKER');
    });

    it('SOAP SendVerificationCode: the same, with the default template', async () => {
      const body =
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
        `<SendVerificationCode>${CREDENTIALS_XML}<Msisdn>+4790000001</Msisdn></SendVerificationCode></s:Body></s:Envelope>`;
      const { result, output } = await capturingOutput(() =>
        t.app.http.inject({ method: 'POST', url: '/soapV1.svc', headers: { 'content-type': 'text/xml; charset=utf-8' }, payload: body }),
      );
      assert.equal(result.statusCode, 500);
      assert.match(result.body, /<Code>5<\/Code><Description>Internal server error<\/Description>/);
      assertLoggedWithoutSecrets('strex soap request failed', output, 'Your verification code is');
    });
  });
}
