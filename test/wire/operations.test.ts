import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { migrationsDirectory } from '../../src/storage/migrate.js';
import { engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import { rollUpUntil } from '../support/rollup.js';
import { StrexClient } from '../support/strex.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const run = promisify(execFile);

/** What an operator of the platform sees: health, metrics, the CLI, failure modes. */
for (const engine of engines()) {
  describe(`operations [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'operations');
    });
    after(() => t.close());

    it('GET /healthz answers ok while the database answers', async () => {
      const response = await t.app.http.inject({ method: 'GET', url: '/healthz' });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { status: 'ok', database: engine });
    });

    it('GET /metrics counts requests by route, payments by outcome and reservation batches', async () => {
      const strex = new StrexClient(t.app);
      await strex.pay({ Msisdn: '+4790000000', Price: 100, ServiceCode: '10002', ClientReference: uniqueReference('m') });
      await strex.pay({ Msisdn: '+4790000003', Price: 100, ServiceCode: '10002', ClientReference: uniqueReference('m') });
      const response = await t.app.http.inject({ method: 'GET', url: '/metrics' });
      assert.equal(response.statusCode, 200);
      assert.match(response.headers['content-type'] as string, /^text\/plain/);
      assert.match(response.body, /^opendcb_payments_total\{outcome="paid"\} 1$/m);
      assert.match(response.body, /^opendcb_payments_total\{outcome="barred"\} 1$/m);
      assert.match(response.body, /^opendcb_http_requests_total\{method="POST",route="\/restV1.svc\/service\/:serviceId\/pay",status="200"\} 1$/m);
      assert.match(response.body, /^opendcb_http_request_duration_seconds_count\{method="POST",route="\/restV1.svc\/service\/:serviceId\/pay"\} 2$/m);
      // Only the paid one was reserved (the barred one was refused before): a batch of one.
      assert.match(response.body, /^opendcb_reservation_batch_size_bucket\{le="1"\} 1$/m);
      assert.match(response.body, /^opendcb_reservation_batch_size_count 1$/m);
      assert.match(response.body, /^opendcb_reservation_batch_fallbacks_total 0$/m);
    });

    it('GET /metrics shows how far the ledger rollup lags: the paid charge\'s transfer, not rolled up (no workers here), a minute on', async () => {
      t.clock.advance(60_000);
      const response = await t.app.http.inject({ method: 'GET', url: '/metrics' });
      const lagSeconds = Number(/^opendcb_ledger_rollup_lag_seconds (\S+)$/m.exec(response.body)?.[1]);
      assert.ok(lagSeconds >= 60 && lagSeconds < 120, `lag ${lagSeconds}`);
      let after = '';
      await rollUpUntil(
        () => t.app.ledger.rollUp(),
        async () => {
          after = (await t.app.http.inject({ method: 'GET', url: '/metrics' })).body;
          return /^opendcb_ledger_rollup_lag_seconds 0$/m.test(after);
        },
      );
      assert.match(after, /^opendcb_ledger_rollup_lag_seconds 0$/m);
    });

    it('a lost database: /healthz 503, Pay a DirectPaymentFault code 5, never a stack trace', async () => {
      const broken = await startTestApp(engine, 'operations_broken');
      await broken.app.db.close();
      const health = await broken.app.http.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 503);
      assert.deepEqual(health.json(), { status: 'unavailable', database: engine });
      const pay = await new StrexClient(broken.app).pay({ Msisdn: '+4790000000', Price: 100, ServiceCode: '10002', ClientReference: 'x' });
      assert.equal(pay.status, 500);
      assert.deepEqual(pay.body, { Code: 5, Description: 'Internal server error' });
      await broken.app.http.close();
    });
  });
}

describe('GET /metrics with METRICS_TOKEN', () => {
  const token = 'metrics-token-0123456789';
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite', 'metrics_token', { metricsToken: token });
  });
  after(() => t.close());
  const scrape = (authorization?: string) =>
    t.app.http.inject({ method: 'GET', url: '/metrics', headers: authorization === undefined ? {} : { authorization } });

  it('answers 401 with a Bearer challenge without the token, or with another', async () => {
    for (const authorization of [undefined, '', `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, 'Bearer ', `Basic ${token}`, token]) {
      const response = await scrape(authorization);
      assert.deepEqual(
        { status: response.statusCode, challenge: response.headers['www-authenticate'], type: response.headers['content-type'], body: response.body },
        { status: 401, challenge: 'Bearer realm="metrics"', type: 'text/plain; charset=utf-8', body: 'Unauthorized\n' },
        `Authorization: ${String(authorization)}`,
      );
    }
  });

  it('answers the metrics with Authorization: Bearer <token> (the scheme in any letter case)', async () => {
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`]) {
      const response = await scrape(authorization);
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /^# TYPE opendcb_payments_total counter$/m);
    }
  });

  it('protects /metrics only: /healthz stays open', async () => {
    const response = await t.app.http.inject({ method: 'GET', url: '/healthz' });
    assert.deepEqual({ status: response.statusCode, body: response.json() }, { status: 200, body: { status: 'ok', database: 'pglite' } });
  });
});

describe('CLI', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'opendcb-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [CLI, ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', ...env } });

  it('migrate applies the migrations once', async () => {
    const files = readdirSync(migrationsDirectory()).filter((name) => name.endsWith('.sql')).sort();
    assert.ok(files.length >= 4);
    assert.equal((await cli(['migrate'])).stdout.trim(), `applied ${files.join(', ')}`);
    assert.equal((await cli(['migrate'])).stdout.trim(), 'schema up to date');
  });

  it('seed adds the demo data once, and never in production', async () => {
    assert.match((await cli(['seed'])).stdout, /demo data seeded/);
    assert.match((await cli(['seed'])).stdout, /demo data already present/);
    await assert.rejects(cli(['seed'], { NODE_ENV: 'production' }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /never seeded in production/);
      return true;
    });
  });

  it('serve refuses to start in production while demo data exists', async () => {
    await assert.rejects(cli(['serve'], { NODE_ENV: 'production', PORT: '0' }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /Refusing to start in production with the demo merchant present/);
      return true;
    });
  });

  it('an unknown command prints the usage', async () => {
    await assert.rejects(cli(['dance']), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.equal(error.stderr, 'usage: opendcb serve|worker|migrate|seed|merchants|endpoints|credentials|products|plans|routes|outbox\n');
      return true;
    });
  });
});
