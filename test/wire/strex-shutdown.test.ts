import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { buildApp, type OpenDcb } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { DEMO_AUTH, databaseUrlFor, engines, TestClock, uniqueReference } from '../support/app.js';

const MANUAL = '+4790000014';

/** A shutdown (rolling restart) while Pays and PreAuthorizes wait for the subscriber. */
for (const engine of engines()) {
  describe(`Strex shutdown with waiting confirmations [${engine}]`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opendcb-shutdown-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));

    async function start(config: Config, clock: TestClock): Promise<OpenDcb> {
      return buildApp(config, { clock, logger: false });
    }
    const call = (app: OpenDcb, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.http.inject({ method, url, payload: payload as object, headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' } });
    async function waitForPrompts(app: OpenDcb, count: number) {
      for (let i = 0; i < 100; i++) {
        const prompts = (await app.http.inject({ method: 'GET', url: `/sandbox/handsets/${encodeURIComponent(MANUAL)}/prompts` })).json() as { id: number }[];
        if (prompts.length >= count) return prompts;
        await sleep(20);
      }
      return assert.fail('the prompts did not appear');
    }

    it('waiting requests get their fault before the process stops; the payment settles after the restart', async () => {
      const config: Config = {
        ...loadConfig({}),
        dataDir,
        databaseUrl: await databaseUrlFor(engine, 'shutdown'),
        workers: false,
        shutdownGraceMs: 300,
      };
      const clock = new TestClock();
      const first = await start(config, clock);
      const reference = uniqueReference('restart');
      const paying = call(first, 'POST', '/RestV1.svc/service/1000/pay', {
        PaymentDetails: { Msisdn: MANUAL, Price: 1000, ServiceCode: '10002', ClientReference: reference, SecurityLevel: 2 },
      });
      const consenting = call(first, 'POST', '/RestV1.svc/service/1000/preauthorize/0', { Msisdn: MANUAL, TransactionId: 'consent-1' });
      await waitForPrompts(first, 2);
      const started = Date.now();
      const report = await first.close();
      assert.ok(Date.now() - started < 3_000, 'the shutdown did not wait for the 60 s confirmation timeout');
      assert.deepEqual(report, { abandonedConfirmations: 2 });
      const paid = await paying;
      assert.equal(paid.statusCode, 424);
      assert.deepEqual(paid.json(), { Code: 9, Description: 'The server restarted while the subscriber was being asked; the payment is in progress' });
      const consented = await consenting;
      assert.equal(consented.statusCode, 424);
      assert.deepEqual(consented.json(), { Code: 10, Description: 'The subscriber did not answer the pre-authorisation in time' });

      const second = await start(config, clock);
      try {
        const prompts = await waitForPrompts(second, 1);
        assert.equal(prompts.length, 1, 'the consent prompt was withdrawn; the payment prompt stays answerable');
        const answered = await second.http.inject({
          method: 'POST',
          url: `/sandbox/handsets/${encodeURIComponent(MANUAL)}/prompts/${prompts[0]?.id}/confirm`,
          headers: { 'content-type': 'application/json' },
          payload: '{}',
        });
        assert.equal(answered.statusCode, 200);
        clock.advance(3_000);
        await second.payments.settlePending();
        const status = await call(second, 'GET', `/RestV1.svc/service/1000/pay/${reference}`);
        assert.equal(status.json().PaymentStatus, 1);
      } finally {
        await second.close();
      }
    });
  });
}
