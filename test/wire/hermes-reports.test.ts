import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { composeAccounts } from '../../src/composition/accounts.js';
import type { MessageReportPayload } from '../../src/core/outbox/catalogue.js';
import { reportUrl } from '../../src/facades/hermes/reports.js';
import { operatorCommand } from '../../src/operator-cli.js';
import { HERMES_DEMO } from '../../src/seed.js';
import { engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';

const DIGEST = createHash('md5').update(`${HERMES_DEMO.password}${HERMES_DEMO.sharedSecret}`, 'utf8').digest('hex');

describe('Hermes delivery report URLs', () => {
  const report = (status: MessageReportPayload['status']): MessageReportPayload => ({
    messageId: 7, endpointId: 3, merchantId: 1, submissionKey: 'order 7&co', recipientIndex: 0, campaign: '1', msisdn: '+27825550040', status, at: '2026-12-07T10:00:00.000Z',
  });
  const fields = { mx: 'AbC-_x', mcc: '655', mnc: '01', msisdn: null };

  it('fills the placeholders in any case, percent-encoded; one it does not know stays as written', () => {
    assert.equal(
      reportUrl('https://p.example/dlr?mx=%%mx%%&mcc=%%MCC%%&mnc=%%mnc%%&id=%%UserMsgID%%&c=%%campaignid%%&x=%%other%%&n=%%msisdn%%', report('delivered'), fields),
      'https://p.example/dlr?mx=AbC-_x&mcc=655&mnc=01&id=order%207%26co&c=1&x=%%other%%&n=',
    );
  });

  it('reports only delivered messages, unless the template asks for %%status%%', () => {
    assert.equal(reportUrl('https://p.example/dlr?id=%%usermsgid%%', report('failed'), fields), null);
    assert.equal(reportUrl('https://p.example/dlr?id=%%usermsgid%%', report('expired'), fields), null);
    assert.equal(reportUrl('https://p.example/dlr?s=%%status%%', report('failed'), fields), 'https://p.example/dlr?s=FAILED');
    assert.equal(reportUrl('https://p.example/dlr?s=%%STATUS%%', report('expired'), fields), 'https://p.example/dlr?s=EXPIRED');
    assert.equal(reportUrl('https://p.example/dlr?s=%%status%%', report('delivered'), { ...fields, msisdn: '27825550040' }), 'https://p.example/dlr?s=DELIVERED');
  });
});

for (const engine of engines()) {
  describe(`Hermes delivery reports to the partner [${engine}]`, () => {
    let t: TestApp;
    let receiver: Server;
    let base = '';
    /** Each request's URL; the path says how to answer: /flaky fails its first three, /down always. */
    const seen: string[] = [];
    let flakyFailures = 3;
    let downAnswers = 503;
    before(async () => {
      receiver = createServer((request, response) => {
        const url = request.url ?? '';
        seen.push(url);
        if (url.startsWith('/flaky') && flakyFailures > 0) {
          flakyFailures -= 1;
          response.writeHead(500).end('not yet');
        } else if (url.startsWith('/down')) response.writeHead(downAnswers).end();
        else if (url.startsWith('/redirect')) response.writeHead(302, { location: '/flaky' }).end();
        else response.writeHead(200).end('ok');
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      t = await startTestApp(engine, 'hermes_reports', { workers: true, port: 0, host: '127.0.0.1' });
      await t.app.listen();
    });
    after(async () => {
      await t.close();
      await new Promise((resolve) => receiver.close(resolve));
    });

    async function setDlrUrl(dlrUrl: string) {
      await sql`UPDATE endpoints SET settings = settings || jsonb_build_object('dlrUrl', ${dlrUrl}::text) WHERE kind = 'hermes-sms'`.execute(t.app.db.kysely);
    }
    async function send(msisdn: string) {
      const userMsgId = uniqueReference('dlr');
      const response = await t.app.http.inject({
        method: 'POST',
        url: '/hermes/hermes.asmx',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        payload:
          '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><SendMessageWithCampaign xmlns="http://tempuri.org/">' +
          `<Username>demo</Username><MD5Hash>${DIGEST}</MD5Hash><SMSMessage>Hello</SMSMessage>` +
          `<MSISDNList><MSISDNDetails><MSISDN>${msisdn}</MSISDN><MCC>655</MCC><MNC>01</MNC></MSISDNDetails></MSISDNList>` +
          `<UserMsgID>${userMsgId}</UserMsgID><ScheduleFor>00000000000000</ScheduleFor><CampaignID>1</CampaignID></SendMessageWithCampaign></soap:Body></soap:Envelope>`,
      });
      assert.match(response.body, /<Status>Success<\/Status>/);
      return userMsgId;
    }
    async function eventually(what: string, check: () => boolean | Promise<boolean>) {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.fail(`${what} did not happen within 5 s`);
    }
    const requestsTo = (path: string, id: string) => seen.filter((url) => url.startsWith(path) && url.includes(encodeURIComponent(id)));
    const reportEvent = (id: string) =>
      t.app.db.kysely.selectFrom('outbox_events').select(['id', 'attempts', 'delivered_at', 'dead_at'])
        .where('topic', '=', 'message.reported').where(sql`payload->>'submissionKey'`, '=', id).executeTakeFirst();

    it('a delivered message is reported to a receiver that fails its first three attempts: four identical calls, the MX opens with the partner\'s DecryptMX', async () => {
      await setDlrUrl(`${base}/flaky?mx=%%mx%%&mcc=%%mcc%%&mnc=%%mnc%%&id=%%usermsgid%%&c=%%campaignid%%`);
      const id = await send('27825551401');
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        await eventually(`attempt ${attempt}`, async () => requestsTo('/flaky', id).length >= attempt && (await reportEvent(id))?.attempts === attempt);
        // The backoff after each failure passes on the app's clock.
        t.clock.advance(60_000);
      }
      await eventually('the report recorded delivered', async () => (await reportEvent(id))?.delivered_at != null);
      const calls = requestsTo('/flaky', id);
      assert.equal(calls.length, 4);
      // The MX is sealed afresh each time (a new nonce): the rest of the report is the same.
      assert.equal(new Set(calls.map((url) => url.replace(/mx=[^&]*/, ''))).size, 1, 'the same report each time');
      const query = new URL(`${base}${calls[0]}`).searchParams;
      assert.deepEqual([query.get('mcc'), query.get('mnc'), query.get('id'), query.get('c')], ['655', '01', id, '1']);
      const decrypted = await t.app.http.inject({ method: 'GET', url: `/V/1/6/Default.asmx/DecryptMX?MX=${encodeURIComponent(query.get('mx') ?? '')}&U=demo&P=demo-password` });
      assert.match(decrypted.body, /<MSISDN>27825551401<\/MSISDN>/);
      assert.equal((await reportEvent(id))?.attempts, 4);
    });

    it('a failed message is reported only to a template with %%status%%', async () => {
      await setDlrUrl(`${base}/plain?id=%%usermsgid%%`);
      // Profile 01 of the South African block: unknown at the operator, its message fails.
      const quiet = await send('27825550001');
      await eventually('the report handled', async () => (await reportEvent(quiet))?.delivered_at != null);
      assert.deepEqual(requestsTo('/plain', quiet), [], 'a failed message is not reported by default');
      await setDlrUrl(`${base}/status?id=%%usermsgid%%&s=%%status%%`);
      const told = await send('27825550001');
      await eventually('the failed report', () => requestsTo('/status', told).length === 1);
      assert.equal(new URL(`${base}${requestsTo('/status', told)[0]}`).searchParams.get('s'), 'FAILED');
    });

    it('a receiver down for more than a day makes the report a dead letter; the operator lists it and sends it again', async () => {
      await setDlrUrl(`${base}/down?id=%%usermsgid%%`);
      const id = await send('27825551402');
      await eventually('the first attempt', () => requestsTo('/down', id).length === 1);
      // Once its failure is recorded: a clock moved while the attempt is under way would judge that attempt a day late.
      await eventually('the first failure recorded', async () => (await reportEvent(id))?.attempts === 1);
      t.clock.advance(25 * 3_600_000);
      await eventually('the attempt after a day', () => requestsTo('/down', id).length === 2);
      await eventually('the dead letter', async () => (await reportEvent(id))?.dead_at != null);
      t.clock.advance(3_600_000);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      assert.equal(requestsTo('/down', id).length, 2, 'a dead letter is not tried again');
      const event = await reportEvent(id);
      const metrics = await t.app.http.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /^opendcb_outbox_dead_letters 1$/m, 'the operator sees it in the metrics');
      const lines: string[] = [];
      const services = composeAccounts(t.app.db.kysely, t.clock);
      const io = { print: (line: string) => void lines.push(line), readSecrets: async () => [] };
      await operatorCommand('outbox', ['dead'])(services, io);
      const row = lines.find((line) => line.startsWith(`${event?.id} `));
      assert.match(row ?? '', /^\d+ +message\.reported +\S+ +\S+ +2 +the merchant's server answered HTTP 503$/);
      downAnswers = 200;
      lines.length = 0;
      await operatorCommand('outbox', ['resend', '--event', String(event?.id)])(services, io);
      assert.deepEqual(lines, [`event ${event?.id} is due again, with a new retry window`]);
      await eventually('the report sent again', async () => (await reportEvent(id))?.delivered_at != null);
      assert.equal(requestsTo('/down', id).length, 3);
      await assert.rejects(operatorCommand('outbox', ['resend', '--event', String(event?.id)])(services, io), /is not a dead letter/);
    });

    it('a redirect is not followed: it counts as a failed attempt', async () => {
      await setDlrUrl(`${base}/redirect?id=%%usermsgid%%`);
      const id = await send('27825551403');
      await eventually('the attempt', () => requestsTo('/redirect', id).length === 1);
      await eventually('the failure recorded', async () => (await reportEvent(id))?.attempts === 1);
      const event = await t.app.db.kysely.selectFrom('outbox_events').select(['last_error', 'delivered_at']).where('id', '=', (await reportEvent(id))?.id ?? '0').executeTakeFirst();
      assert.deepEqual(event, { last_error: "the merchant's server answered HTTP 302", delivered_at: null });
      assert.deepEqual(requestsTo('/flaky', id), [], 'the redirect target was never called');
    });
  });
}
