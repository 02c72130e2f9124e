import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { buildApp, type OpenDcb } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { LOGIN_THROTTLE } from '../../src/core/merchants/throttle.js';
import { basicAuth, DEMO_AUTH, databaseUrlFor, engines, uniqueReference } from '../support/app.js';
import { FakeClock } from '../support/fakes/clock.js';
import { StrexClient } from '../support/strex.js';

const MINUTE_MS = 60_000;
const MONTH_MS = 31 * 24 * 60 * MINUTE_MS;
/** Long enough that no real timer ends a wait while the test runs: only the clock can. */
const CONFIRMATION_TIMEOUT_MS = 10 * MINUTE_MS;
const CODE_LIFETIME_MS = 10 * MINUTE_MS;

/**
 * One clock (decisions §38): the platform's time is the injected clock's, in TypeScript and
 * in SQL. The clock here stands still unless the test moves it, a month at a time, so
 * everything that expires, backs off or slides does so because the clock moved, never
 * because real time passed.
 */
for (const engine of engines()) {
  describe(`one clock [${engine}]`, () => {
    const clock = new FakeClock('2027-01-31T23:00:00Z');
    let app: OpenDcb;
    let strex: StrexClient;
    before(async () => {
      const config = {
        ...loadConfig({}),
        dataDir: 'memory://',
        databaseUrl: await databaseUrlFor(engine, 'one_clock'),
        workers: false,
        confirmationTimeoutMs: CONFIRMATION_TIMEOUT_MS,
      };
      app = await buildApp(config, { clock, logger: false });
      strex = new StrexClient(app);
    });
    after(() => app.close());

    let numberCounter = 0;
    const freshMsisdn = () => `+474130${String(++numberCounter).padStart(4, '0')}`;
    const post = async (path: string, body: unknown, auth = DEMO_AUTH) => {
      const response = await app.http.inject({
        method: 'POST',
        url: `/RestV1.svc/service/1000/${path}`,
        headers: { authorization: auth, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      return { status: response.statusCode, body: response.body ? response.json() : '' };
    };
    const sendCode = (msisdn: string) => post('verificationcode', { Msisdn: msisdn });
    const verify = (msisdn: string, code: string) => post('verificationcode/verify', { Msisdn: msisdn, VerificationCode: code });
    const handset = async (msisdn: string, what: 'messages' | 'prompts') =>
      (await app.http.inject({ method: 'GET', url: `/sandbox/handsets/${encodeURIComponent(msisdn)}/${what}` })).json() as {
        id: number;
        text: string;
        receivedAt: string;
      }[];
    async function codeFor(msisdn: string): Promise<string> {
      assert.deepEqual(await sendCode(msisdn), { status: 200, body: '' });
      while ((await app.outbox.deliverDue()) > 0) {}
      const text = (await handset(msisdn, 'messages')).at(-1)?.text ?? '';
      return /(\d{6})/.exec(text)?.[1] ?? assert.fail(`no code in "${text}"`);
    }

    it('verification codes expire, and the hourly send limit slides, by the clock; the SMS arrives at its time', async () => {
      const [early, late] = [freshMsisdn(), freshMsisdn()];
      const [earlyCode, lateCode] = [await codeFor(early), await codeFor(late)];
      assert.equal((await handset(early, 'messages'))[0]?.receivedAt, clock.now().toISOString());
      clock.advance(CODE_LIFETIME_MS - 1);
      assert.deepEqual(await verify(early, earlyCode), { status: 200, body: '' });
      clock.advance(1);
      assert.deepEqual(await verify(late, lateCode), { status: 424, body: { Code: 10, Description: 'The verification code has expired' } });

      clock.advance(MONTH_MS);
      const busy = freshMsisdn();
      for (let i = 0; i < 5; i++) assert.equal((await sendCode(busy)).status, 200);
      assert.equal((await sendCode(busy)).body.Code, 6, 'the sixth within the hour');
      clock.advance(60 * MINUTE_MS - 1);
      assert.equal((await sendCode(busy)).body.Code, 6, 'still within the hour of the first');
      clock.advance(1);
      assert.deepEqual(await sendCode(busy), { status: 200, body: '' });
    });

    it('a confirmation times out when the clock says so: the prompt is gone, a late yes is refused, the Pay answers code 10', async () => {
      clock.advance(MONTH_MS);
      const msisdn = '+4790000014';
      const paying = strex.pay({
        Msisdn: msisdn,
        Price: 1000,
        ServiceCode: '10002',
        ClientReference: uniqueReference('clock'),
        SecurityLevel: 2,
        ConfirmationChannel: 1,
      });
      let prompt: { id: number } | undefined;
      while (!(prompt = (await handset(msisdn, 'prompts'))[0])) await sleep(20);
      clock.advance(CONFIRMATION_TIMEOUT_MS - 1);
      assert.equal((await handset(msisdn, 'prompts')).length, 1, 'a millisecond left');
      clock.advance(1);
      assert.deepEqual(await handset(msisdn, 'prompts'), []);
      const late = await app.http.inject({
        method: 'POST',
        url: `/sandbox/handsets/${encodeURIComponent(msisdn)}/prompts/${prompt.id}/confirm`,
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      assert.equal(late.statusCode, 409);
      const response = await paying;
      assert.equal(response.status, 424);
      assert.deepEqual(response.body, { Code: 10, Description: 'The subscriber did not confirm the payment in time' });
    });

    const iso = (at: Date | string | null) => (at === null ? null : new Date(at).toISOString());
    /** A payment's times and its journal entries' times, as ISO strings. */
    async function paymentTimes(paymentId: number) {
      const { rows } = await sql<{ created_at: Date | string; settled_at: Date | string | null }>`
        SELECT created_at, settled_at FROM payments WHERE id = ${paymentId}`.execute(app.db.kysely);
      const journal = await sql<{ kind: string; created_at: Date | string }>`
        SELECT kind, created_at FROM journal_entries WHERE payment_id = ${paymentId} ORDER BY kind`.execute(app.db.kysely);
      return {
        payment: rows.map((row) => [iso(row.created_at), iso(row.settled_at)]),
        journal: journal.rows.map((row) => `${row.kind} ${iso(row.created_at)}`),
      };
    }

    it('a sandbox prepaid debit is made, and its payment reserved and settled, at the clock\'s time', async () => {
      clock.advance(MONTH_MS);
      const msisdn = '+4790000005';
      const paid = await strex.pay({ Msisdn: msisdn, Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('prepaid') });
      assert.equal(paid.status, 200, paid.text);
      const { rows } = await sql<{ created_at: Date | string }>`SELECT created_at FROM sandbox_prepaid_debits WHERE msisdn = ${msisdn}`.execute(app.db.kysely);
      assert.deepEqual(rows.map((row) => new Date(row.created_at).toISOString()), [clock.now().toISOString()]);
      const now = clock.now().toISOString();
      assert.deepEqual(await paymentTimes((paid.body as { TransactionId: number }).TransactionId), { payment: [[now, now]], journal: [`charge ${now}`] });
    });

    it('charges reserved together in one batch, paid at once, are reserved and journalled at the clock\'s time', async () => {
      clock.advance(MONTH_MS);
      const paid = await Promise.all(
        [freshMsisdn(), freshMsisdn(), freshMsisdn()].map((msisdn) =>
          strex.pay({ Msisdn: msisdn, Price: 100, ServiceCode: '10002', ClientReference: uniqueReference('batch') }),
        ),
      );
      const now = clock.now().toISOString();
      for (const response of paid) {
        assert.equal(response.status, 200, response.text);
        assert.deepEqual(await paymentTimes((response.body as { TransactionId: number }).TransactionId), { payment: [[now, now]], journal: [`charge ${now}`] });
      }
    });

    it('a reversal is stamped at the clock\'s time', async () => {
      const paid = await strex.pay({ Msisdn: '+4790000006', Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('reversal') });
      assert.equal(paid.status, 200, paid.text);
      const paymentId = (paid.body as { TransactionId: number }).TransactionId;
      clock.advance(MONTH_MS);
      assert.equal((await strex.reverse(paymentId)).status, 200);
      const { rows } = await sql<{ reversed_at: Date | string }>`SELECT reversed_at FROM payments WHERE id = ${paymentId}`.execute(app.db.kysely);
      assert.deepEqual(rows.map((row) => new Date(row.reversed_at).toISOString()), [clock.now().toISOString()]);
      const reversed = (await paymentTimes(paymentId)).journal;
      assert.equal(reversed[1], `reversal ${clock.now().toISOString()}`);
      const events = await sql<{ created_at: Date | string; available_at: Date | string }>`
        SELECT created_at, available_at FROM outbox_events WHERE topic = 'payment.reversed' AND (payload->>'paymentId')::BIGINT = ${paymentId}`.execute(app.db.kysely);
      assert.deepEqual(events.rows.map((row) => [iso(row.created_at), iso(row.available_at)]), [[clock.now().toISOString(), clock.now().toISOString()]]);
    });

    it('the login throttle window slides by the clock', async () => {
      clock.advance(MONTH_MS);
      const guesser = '203.0.113.99';
      const call = (auth: string) =>
        app.http.inject({ method: 'GET', url: '/RestV1.svc/service/1000/pay/nothing-here', remoteAddress: guesser, headers: { authorization: auth } });
      for (let i = 0; i < LOGIN_THROTTLE.perAccountSource; i++) {
        assert.deepEqual((await call(basicAuth('demo', `guess-${i}`))).json(), { Code: 1, Description: 'Invalid service credentials' });
      }
      // The budget of hashes for unknown sources refills by the same clock.
      clock.advance(10_000);
      assert.deepEqual((await call(DEMO_AUTH)).json(), { Code: 1, Description: 'Too many failed logins; try again later' });
      clock.advance(LOGIN_THROTTLE.windowMs);
      assert.equal((await call(DEMO_AUTH)).statusCode, 404, 'the window has slid past the failures: the right password works');
    });

    // Last: it replaces the SMS handler of this app.
    it('the outbox backs off by the clock: a failed delivery is due again after its backoff on the clock, not in real time', async () => {
      clock.advance(MONTH_MS);
      while ((await app.outbox.deliverDue()) > 0) {}
      let failures = 0;
      const delivered: string[] = [];
      app.outbox.on('sms.send', async (sms) => {
        if (failures++ === 0) throw new Error('gateway down');
        delivered.push(sms.to);
      });
      const msisdn = freshMsisdn();
      assert.deepEqual(await sendCode(msisdn), { status: 200, body: '' });
      assert.equal(await app.outbox.deliverDue(), 1, 'tried once, and failed');
      // The first retry waits a second: a second of real time moves nothing.
      await sleep(1_100);
      assert.equal(await app.outbox.deliverDue(), 0);
      clock.advance(999);
      assert.equal(await app.outbox.deliverDue(), 0);
      clock.advance(1);
      assert.equal(await app.outbox.deliverDue(), 1);
      assert.deepEqual(delivered, [msisdn]);
    });
  });
}
