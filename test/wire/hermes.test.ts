import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import soap from 'soap';
import { HERMES_DEMO } from '../../src/seed.js';
import { engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';

const PATH = '/hermes/hermes.asmx';
const DIGEST = createHash('md5').update(`${HERMES_DEMO.password}${HERMES_DEMO.sharedSecret}`, 'utf8').digest('hex');
/** .NET's spelling, as the document's sample sends it: upper-case pairs joined by dashes. */
const DOTNET_DIGEST = DIGEST.toUpperCase().match(/../g)?.join('-') ?? '';
const SA = ['27825551234', '27825551235'];

interface Call {
  Username?: string;
  MD5Hash?: string;
  SMSMessage?: string;
  MSISDNList?: string[] | null;
  UserMsgID?: string;
  ScheduleFor?: string;
  CampaignID?: string;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The document's sample request (§7), member by member; a member left undefined is left out. */
function envelope(method: 'SendMessageWithCampaign' | 'SendMessage', call: Call): string {
  const member = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${escape(value)}</${name}>`);
  const list =
    call.MSISDNList === null || call.MSISDNList === undefined
      ? ''
      : `<MSISDNList>${call.MSISDNList.map((m) => `<MSISDNDetails><MSISDN>${m}</MSISDN><MCC>655</MCC><MNC>01</MNC></MSISDNDetails>`).join('')}</MSISDNList>`;
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
    `<soap:Body><${method} xmlns="http://tempuri.org/">` +
    member('Username', call.Username) +
    member('MD5Hash', call.MD5Hash) +
    member('SMSMessage', call.SMSMessage) +
    list +
    member('UserMsgID', call.UserMsgID) +
    '<UserTag>Tag</UserTag>' +
    member('ScheduleFor', call.ScheduleFor) +
    (method === 'SendMessageWithCampaign' ? member('CampaignID', call.CampaignID) : '') +
    `</${method}></soap:Body></soap:Envelope>`
  );
}

/** The answer as Hermes writes it (§7 sample response). */
function answer(method: string, status: string, message = ''): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
    `<soap:Body><${method}Response xmlns="http://tempuri.org/"><${method}Result>` +
    `<Status>${status}</Status><IsError>${status !== 'Success'}</IsError>` +
    `<DetailsOfError><UserFriendlyMessage>${message}</UserFriendlyMessage><SystemMessage></SystemMessage><StackTrace></StackTrace></DetailsOfError>` +
    `</${method}Result></${method}Response></soap:Body></soap:Envelope>`
  );
}

for (const engine of engines()) {
  describe(`Hermes SMS SOAP [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'hermes');
    });
    after(() => t.close());

    const good = (extra: Call = {}): Call => ({
      Username: HERMES_DEMO.username,
      MD5Hash: DOTNET_DIGEST,
      SMSMessage: 'Test Text Message',
      MSISDNList: [SA[0] as string],
      UserMsgID: uniqueReference('msg'),
      ScheduleFor: '00000000000000',
      CampaignID: HERMES_DEMO.campaignId,
      ...extra,
    });
    async function send(call: Call, method: 'SendMessageWithCampaign' | 'SendMessage' = 'SendMessageWithCampaign') {
      const response = await t.app.http.inject({
        method: 'POST',
        url: PATH,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"http://tempuri.org/${method}"` },
        payload: envelope(method, call),
      });
      return { status: response.statusCode, type: response.headers['content-type'], body: response.body };
    }
    const messagesOf = (submissionKey: string) =>
      t.app.db.kysely
        .selectFrom('messages')
        .leftJoin('message_campaigns', 'message_campaigns.id', 'messages.campaign_id')
        .select(['messages.msisdn', 'messages.sender', 'messages.body', 'messages.state', 'messages.due_at', 'message_campaigns.external_id'])
        .where('messages.submission_key', '=', submissionKey)
        .orderBy('messages.recipient_index')
        .execute();

    /** Due between the moment before the call and now, on the app's clock. */
    function assertDueNow(dueAt: unknown, beforeMs: number) {
      const dueMs = new Date(dueAt as string).getTime();
      assert.ok(dueMs >= beforeMs && dueMs <= t.clock.now().getTime(), `due ${new Date(dueMs).toISOString()}, not now`);
    }

    it('the documented sample request is sent: Success, each recipient a queued message of the campaign, due now', async () => {
      const call = good({ MSISDNList: SA });
      const before = t.clock.now().getTime();
      const sent = await send(call);
      assert.deepEqual(sent, { status: 200, type: 'text/xml; charset=utf-8', body: answer('SendMessageWithCampaign', 'Success') });
      const rows = await messagesOf(call.UserMsgID as string);
      assert.deepEqual(
        rows.map((r) => [r.msisdn, r.sender, r.body, r.state, r.external_id]),
        SA.map((m) => [`+${m}`, 'OpenDCB', 'Test Text Message', 'queued', '1']),
      );
      for (const row of rows) assertDueNow(row.due_at, before);
    });

    it('MD5Hash in either spelling logs in; a wrong digest or an unknown username is 91, a hash that is no MD5 digest 92', async () => {
      assert.equal((await send(good({ MD5Hash: DIGEST }))).body, answer('SendMessageWithCampaign', 'Success'));
      assert.equal((await send(good({ MD5Hash: DIGEST.toUpperCase() }))).body, answer('SendMessageWithCampaign', 'Success'));
      const noAccount = answer('SendMessageWithCampaign', '91', 'There is no account specified for the username and password');
      const wrong = createHash('md5').update('demo-passworddemo-secreT').digest('hex');
      for (const call of [good({ MD5Hash: wrong }), good({ Username: 'nobody' }), good({ Username: undefined }), good({ Username: 'x'.repeat(201) })]) {
        const refused = await send(call);
        assert.deepEqual([refused.status, refused.body], [200, noAccount], JSON.stringify(call).slice(0, 80));
        assert.deepEqual(await messagesOf(call.UserMsgID as string), []);
      }
      const badHash = answer('SendMessageWithCampaign', '92', 'The MD5 hash supplied was invalid');
      for (const MD5Hash of [undefined, '', 'abc', `${DIGEST}0`, DIGEST.replace(/^./, 'g'), DOTNET_DIGEST.replaceAll('-', ':'), 'x'.repeat(201)]) {
        assert.equal((await send(good({ MD5Hash }))).body, badHash, `MD5Hash ${MD5Hash}`);
      }
    });

    it('a UserMsgID used before is 93 and nothing is sent again, through either method', async () => {
      const call = good();
      assert.equal((await send(call)).body, answer('SendMessageWithCampaign', 'Success'));
      assert.equal((await send({ ...call, SMSMessage: 'again', MSISDNList: SA })).body, answer('SendMessageWithCampaign', '93', 'Duplicate feed'));
      assert.equal((await send({ ...call, SMSMessage: 'again' }, 'SendMessage')).body, answer('SendMessage', '93', 'Duplicate feed'));
      assert.deepEqual((await messagesOf(call.UserMsgID as string)).map((r) => r.body), ['Test Text Message']);
      const missing = answer('SendMessageWithCampaign', '97', 'The UserMsgID is invalid: it must be 1 to 100 characters');
      assert.equal((await send(good({ UserMsgID: undefined }))).body, missing);
      assert.equal((await send(good({ UserMsgID: 'x'.repeat(101) }))).body, answer('SendMessageWithCampaign', '97', 'The UserMsgID is invalid: UserMsgID must not have more than 100 characters'));
    });

    it('one UserMsgID sent twelve times at once, through both methods: one is sent, the others are 93', async () => {
      const call = good({ MSISDNList: SA });
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => send(call, i % 2 === 0 ? 'SendMessageWithCampaign' : 'SendMessage')));
      const statuses = answers.map((a) => /<Status>([^<]*)<\/Status>/.exec(a.body)?.[1]);
      assert.deepEqual(statuses.filter((s) => s === 'Success').length, 1);
      assert.deepEqual(statuses.filter((s) => s === '93').length, 11);
      assert.equal((await messagesOf(call.UserMsgID as string)).length, SA.length, 'one message per recipient, once');
    });

    it('ScheduleFor is yyyyMMddHHmmss in UTC or 14 zeros; anything else is 94', async () => {
      const call = good({ ScheduleFor: '20270601120000' });
      assert.equal((await send(call)).body, answer('SendMessageWithCampaign', 'Success'));
      const [row] = await messagesOf(call.UserMsgID as string);
      assert.equal(new Date(row?.due_at ?? 0).toISOString(), '2027-06-01T12:00:00.000Z');
      const invalid = answer('SendMessageWithCampaign', '94', 'The ScheduleFor DateTime is invalid');
      for (const ScheduleFor of [undefined, '', '2027123123595', '202712312359590', '20271331000000', '20270229120000', '20271231240000', '2027-12-31 23:5', '00000000000001', '00991231000000']) {
        const refused = good({ ScheduleFor });
        assert.equal((await send(refused)).body, invalid, `ScheduleFor ${ScheduleFor}`);
        assert.deepEqual(await messagesOf(refused.UserMsgID as string), []);
      }
      const farAhead = new Date(t.clock.now().getTime() + 367 * 86_400_000);
      const stamp = farAhead.toISOString().replace(/[-:T]/g, '').slice(0, 14);
      assert.equal((await send(good({ ScheduleFor: stamp }))).body, answer('SendMessageWithCampaign', '94', 'The ScheduleFor DateTime is invalid'));
      // A time passed is sent now.
      const past = good({ ScheduleFor: '20200101000000' });
      const before = t.clock.now().getTime();
      assert.equal((await send(past)).body, answer('SendMessageWithCampaign', 'Success'));
      assertDueNow((await messagesOf(past.UserMsgID as string))[0]?.due_at, before);
    });

    it('recipients, text and campaign: each refusal its own status, nothing stored', async () => {
      const cases: [Call, string, string][] = [
        [good({ MSISDNList: null }), '95', 'The MSISDNList is invalid: no recipient'],
        [good({ MSISDNList: [] }), '95', 'The MSISDNList is invalid: no recipient'],
        [good({ MSISDNList: [SA[0] as string, '12'] }), '95', 'The MSISDNList is invalid: MSISDNDetails 2 has no valid international mobile number'],
        [good({ SMSMessage: undefined }), '96', 'The SMSMessage is invalid: it is empty'],
        [good({ SMSMessage: 'x'.repeat(1_601) }), '96', 'The SMSMessage is invalid: SMSMessage must not have more than 1600 characters'],
        [good({ CampaignID: '2' }), '98', 'The CampaignID is not a campaign of this account'],
        [good({ CampaignID: undefined }), '98', 'The CampaignID is not a campaign of this account'],
      ];
      for (const [call, status, message] of cases) {
        assert.equal((await send(call)).body, answer('SendMessageWithCampaign', status, message), message);
        assert.deepEqual(await messagesOf(call.UserMsgID as string), []);
      }
      const many = Array.from({ length: 10_001 }, (_, i) => `2782${String(5_000_000 + i)}`);
      assert.equal(
        (await send(good({ MSISDNList: many }))).body,
        answer('SendMessageWithCampaign', '95', 'The MSISDNList is invalid: MSISDNList must not have more than 10000 items'),
      );
    });

    it('SendMessage sends without a campaign', async () => {
      const call = good({ CampaignID: undefined });
      assert.equal((await send(call, 'SendMessage')).body, answer('SendMessage', 'Success'));
      assert.deepEqual((await messagesOf(call.UserMsgID as string)).map((r) => [r.msisdn, r.external_id]), [[`+${SA[0]}`, null]]);
    });

    it('a request no method can read is a SOAP Fault with HTTP 500; SOAP 1.2 is refused', async () => {
      const fault = async (payload: string, soapaction = '"http://tempuri.org/SendMessage"') => {
        const response = await t.app.http.inject({ method: 'POST', url: PATH, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction }, payload });
        return [response.statusCode, /<faultcode>soap:Client<\/faultcode><faultstring>([^<]*)<\/faultstring>/.exec(response.body)?.[1]];
      };
      assert.deepEqual(await fault('<not xml'), [500, 'Server was unable to read request: the body is not well-formed XML']);
      assert.deepEqual(await fault('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'), [500, 'Server was unable to read request: the body is not well-formed XML']);
      assert.deepEqual(await fault('<root/>'), [500, 'Server was unable to read request: not a SOAP 1.1 envelope with a Body']);
      const unknown = envelope('SendMessage', good()).replaceAll('SendMessage', 'SendNothing');
      assert.deepEqual(await fault(unknown, '"http://tempuri.org/SendNothing"'), [500, 'Server did not recognize the method SendNothing']);
      assert.deepEqual(await fault(envelope('SendMessage', good()), '"http://tempuri.org/SendMessageWithCampaign"'), [
        500,
        'Server did not recognize the value of HTTP Header SOAPAction: http://tempuri.org/SendMessageWithCampaign',
      ]);
      const soap12 = await t.app.http.inject({ method: 'POST', url: PATH, headers: { 'content-type': 'application/soap+xml' }, payload: envelope('SendMessage', good()) });
      assert.equal(soap12.statusCode, 415);
    });

    it('a client generated from the WSDL at /HERMES/hermes.asmx?wsdl (npm soap) sends through both methods', async () => {
      const baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
      // The client's methods are generated from the WSDL at run time: no static type to give it.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const client: any = await soap.createClientAsync(`${baseUrl}/HERMES/hermes.asmx?wsdl`);
      const details = { MSISDNDetails: [{ MSISDN: SA[0], MNC: '01', MCC: '655' }] };
      const withCampaign = uniqueReference('msg');
      const [sent] = await client.SendMessageWithCampaignAsync({
        Username: 'demo', MD5Hash: DOTNET_DIGEST, SMSMessage: 'Hello', MSISDNList: details, UserMsgID: withCampaign, UserTag: 'Tag', ScheduleFor: '00000000000000', CampaignID: '1',
      });
      assert.deepEqual(sent, { SendMessageWithCampaignResult: { Status: 'Success', IsError: false, DetailsOfError: { UserFriendlyMessage: '', SystemMessage: null, StackTrace: null } } });
      const [plain] = await client.SendMessageAsync({ Username: 'demo', MD5Hash: DIGEST, SMSMessage: 'Hello', MSISDNList: details, UserMsgID: uniqueReference('msg'), ScheduleFor: '00000000000000' });
      assert.equal(plain.SendMessageResult.Status, 'Success');
      const [duplicate] = await client.SendMessageWithCampaignAsync({
        Username: 'demo', MD5Hash: DIGEST, SMSMessage: 'Hello', MSISDNList: details, UserMsgID: withCampaign, ScheduleFor: '00000000000000', CampaignID: '1',
      });
      assert.deepEqual(duplicate.SendMessageWithCampaignResult, { Status: '93', IsError: true, DetailsOfError: { UserFriendlyMessage: 'Duplicate feed', SystemMessage: null, StackTrace: null } });
      const wsdl = await (await fetch(`${baseUrl}/hermes/hermes.asmx?WSDL`)).text();
      assert.ok(wsdl.includes('<soap:operation soapAction="http://tempuri.org/SendMessageWithCampaign" style="document"/>'));
      assert.ok(wsdl.includes('<s:complexType name="ArrayOfMSISDNDetails"><s:sequence><s:element minOccurs="0" maxOccurs="unbounded" name="MSISDNDetails" nillable="true" type="tns:MSISDNDetails"/></s:sequence></s:complexType>'));
      assert.ok(wsdl.includes('<s:element minOccurs="1" maxOccurs="1" name="IsError" type="s:boolean"/>'));
    });
  });

  describe(`Hermes SMS through the worker to the handsets [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'hermes_worker', { workers: true, port: 0, host: '127.0.0.1' });
      // Listening starts the background worker: the dispatcher takes the queued messages.
      await t.app.listen();
    });
    after(() => t.close());

    const inboxOf = async (msisdn: string) =>
      (await t.app.db.kysely.selectFrom('sandbox_messages').select(['sender', 'text']).where('msisdn', '=', msisdn).orderBy('id').execute()).map((m) => `${m.sender}: ${m.text}`);
    async function eventually(what: string, check: () => Promise<boolean>) {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.fail(`${what} did not happen within 5 s`);
    }
    const post = (call: Call) =>
      t.app.http.inject({ method: 'POST', url: PATH, headers: { 'content-type': 'text/xml; charset=utf-8' }, payload: envelope('SendMessageWithCampaign', call) });
    const call = (msisdn: string, text: string, ScheduleFor: string): Call => ({
      Username: 'demo', MD5Hash: DIGEST, SMSMessage: text, MSISDNList: [msisdn], UserMsgID: uniqueReference('msg'), ScheduleFor, CampaignID: '1',
    });

    it('a message sent now reaches the handset; one scheduled an hour ahead only once the clock gets there', async () => {
      const [now, later] = ['27825551301', '27825551302'];
      assert.equal((await post(call(now, 'Sent now', '00000000000000'))).body, answer('SendMessageWithCampaign', 'Success'));
      const inAnHour = new Date(t.clock.now().getTime() + 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
      assert.equal((await post(call(later, 'Sent later', inAnHour))).body, answer('SendMessageWithCampaign', 'Success'));
      await eventually('the first message', async () => (await inboxOf(`+${now}`)).length > 0);
      assert.deepEqual(await inboxOf(`+${now}`), ['OpenDCB: Sent now']);
      assert.deepEqual(await inboxOf(`+${later}`), [], 'not before its time');
      t.clock.advance(3_600_000);
      await eventually('the scheduled message', async () => (await inboxOf(`+${later}`)).length > 0);
      assert.deepEqual(await inboxOf(`+${later}`), ['OpenDCB: Sent later']);
    });
  });
}
