import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { composeAccounts } from '../../src/composition/accounts.js';
import { keywordOf, normalise } from '../../src/core/messaging/inbound.js';
import type { MessageReceivedPayload } from '../../src/core/outbox/catalogue.js';
import { operatorCommand } from '../../src/operator-cli.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { smppSettings, TestSmsc } from '../support/smsc.js';

describe('MO keywords', () => {
  it('the keyword is the first word, upper case, after the text is trimmed and its spaces collapsed', () => {
    assert.equal(normalise('  stop \t  demo \r\n'), 'stop demo');
    assert.deepEqual(['stop demo', 'Games', 'STOP', '', 'hello-world x', 'ÅPEN'].map(keywordOf), ['STOP', 'GAMES', 'STOP', '', '', '']);
    assert.equal(keywordOf(`${'A'.repeat(21)} x`), '', 'longer than a keyword');
  });
});

/** MO from an SMSC (SMS_CONNECTOR=smpp): kept, routed by short code and keyword, forwarded to the owning partner's moUrl; hooks by keyword. */
describe('messages from subscribers, routed to the owning service', () => {
  let smsc: TestSmsc;
  let t: TestApp;
  let receiver: Server;
  let base = '';
  const seen: string[] = [];
  const hooked: MessageReceivedPayload[] = [];
  before(async () => {
    receiver = createServer((request, response) => {
      seen.push(request.url ?? '');
      response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    smsc = new TestSmsc({ receipts: true });
    const port = await smsc.listen();
    t = await startTestApp('pglite', 'inbound', {
      sms: { connector: 'smpp', smpp: smppSettings(port) },
    });
    t.app.inbound.onKeyword('stop', async (message) => void hooked.push(message));
    await sql`UPDATE endpoints SET settings = settings || jsonb_build_object('moUrl', ${`${base}/mo?mx=%%mx%%&mcc=%%mcc%%&mnc=%%mnc%%&to=%%shortcode%%&kw=%%keyword%%&text=%%message%%&at=%%datetime%%`}::text)
              WHERE kind = 'infomedia-payments'`.execute(t.app.db.kysely);
  });
  after(async () => {
    await t.close();
    await smsc.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const kept = () =>
    t.app.db.kysely.selectFrom('received_messages').select(['msisdn', 'short_code', 'body', 'keyword', 'endpoint_id']).orderBy('id').execute();
  async function receiveAll(count: number) {
    for (let i = 0; i < 200 && (await kept()).length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal((await kept()).length, count, 'every MO kept');
    while ((await t.app.outbox.deliverDue()) > 0) {}
  }
  const partner100 = async () =>
    Number((await t.app.db.kysely.selectFrom('endpoint_vendor_ids').select('endpoint_id').where('name', '=', 'infomedia-partner-id').where('value', '=', '100').executeTakeFirstOrThrow()).endpoint_id);

  it('a keyword of the partner reaches its moUrl with an MX it opens; an unrouted word is kept and goes nowhere; STOP runs its hook', async () => {
    smsc.sendMo('27825550050', '31000', '  demo   hello there ');
    smsc.sendMo('27825550051', '31000', 'Games');
    smsc.sendMo('27825550052', '31000', 'hello');
    smsc.sendMo('27825550053', '31000', 'stop demo');
    await receiveAll(4);
    const endpointId = String(await partner100());
    assert.deepEqual(await kept(), [
      { msisdn: '+27825550050', short_code: '31000', body: 'demo hello there', keyword: 'DEMO', endpoint_id: endpointId },
      { msisdn: '+27825550051', short_code: '31000', body: 'Games', keyword: 'GAMES', endpoint_id: endpointId },
      { msisdn: '+27825550052', short_code: '31000', body: 'hello', keyword: 'HELLO', endpoint_id: null },
      { msisdn: '+27825550053', short_code: '31000', body: 'stop demo', keyword: 'STOP', endpoint_id: null },
    ]);
    assert.equal(seen.length, 2, 'only the routed ones are forwarded');
    const first = new URL(`${base}${seen[0]}`).searchParams;
    assert.deepEqual([first.get('mcc'), first.get('mnc'), first.get('to'), first.get('kw'), first.get('text')], ['655', '01', '31000', 'DEMO', 'demo hello there']);
    assert.match(first.get('at') ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const opened = await t.app.http.inject({ method: 'GET', url: `/V/1/6/Default.asmx/DecryptMX?MX=${encodeURIComponent(first.get('mx') ?? '')}&U=demo&P=demo-password` });
    assert.match(opened.body, /<MSISDN>27825550050<\/MSISDN>/);
    assert.equal(new URL(`${base}${seen[1]}`).searchParams.get('kw'), 'GAMES');
    assert.deepEqual(hooked.map((m) => [m.msisdn, m.keyword, m.text]), [['+27825550053', 'STOP', 'stop demo']]);
  });

  it('the operator routes a short code\'s other words to an endpoint; a route taken or malformed is refused', async () => {
    const services = composeAccounts(t.app.db.kysely, t.clock);
    const lines: string[] = [];
    const io = { print: (line: string) => void lines.push(line), readSecrets: async () => [] };
    const endpointId = String(await partner100());
    await operatorCommand('routes', ['add', '--endpoint', endpointId, '--short-code', '31000'])(services, io);
    assert.match(lines[0] ?? '', new RegExp(`^route \\d+ added: every other word to 31000 goes to endpoint ${endpointId}$`));
    await assert.rejects(operatorCommand('routes', ['add', '--endpoint', endpointId, '--short-code', '31000', '--keyword', 'demo'])(services, io), /DEMO of 31000 is routed already/);
    await assert.rejects(operatorCommand('routes', ['add', '--endpoint', endpointId, '--short-code', '31'])(services, io), /--short-code must be 3 to 16 digits/);
    await assert.rejects(operatorCommand('routes', ['add', '--endpoint', endpointId, '--short-code', '31001', '--keyword', 'two words'])(services, io), /--keyword must be letters and digits/);
    await assert.rejects(operatorCommand('routes', ['add', '--endpoint', '999999', '--short-code', '31001'])(services, io), /no endpoint 999999/);
    lines.length = 0;
    await operatorCommand('routes', ['list'])(services, io);
    assert.deepEqual(lines.slice(1).map((line) => line.split(/ {2,}/).slice(1, 3)), [['31000', '(any other)'], ['31000', 'DEMO'], ['31000', 'GAMES']]);
    seen.length = 0;
    smsc.sendMo('27825550054', '31000', 'hello again');
    await receiveAll(5);
    assert.equal(new URL(`${base}${seen[0]}`).searchParams.get('text'), 'hello again', 'the default route now takes it');
  });

  it('a sandbox handset sends an SMS to a short code: it arrives as an MO does, routed by its keyword', async () => {
    seen.length = 0;
    const sent = await t.app.http.inject({ method: 'POST', url: '/sandbox/handsets/%2B27825550060/sent', payload: { to: '31000', text: 'games please' } });
    assert.equal(sent.statusCode, 202);
    assert.ok(Number.isSafeInteger(sent.json().id));
    await receiveAll(6);
    assert.deepEqual((await kept()).at(-1), { msisdn: '+27825550060', short_code: '31000', body: 'games please', keyword: 'GAMES', endpoint_id: String(await partner100()) });
    assert.equal(new URL(`${base}${seen[0]}`).searchParams.get('kw'), 'GAMES');
    for (const payload of [{ to: '31', text: 'x' }, { to: '31000', text: '' }, { to: '31000', text: 'x'.repeat(1_601) }, { to: '31000' }, { to: '31000', text: 'x', from: '+4790000000' }]) {
      const refused = await t.app.http.inject({ method: 'POST', url: '/sandbox/handsets/%2B27825550060/sent', payload });
      assert.equal(refused.statusCode, 400, JSON.stringify(payload).slice(0, 60));
      assert.match(refused.json().message, /body must be exactly \{"to": a short code, "text": 1 to 1600 characters\}/);
    }
    const form = await t.app.http.inject({ method: 'POST', url: '/sandbox/handsets/%2B27825550060/sent', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'to=31000&text=x' });
    assert.equal(form.statusCode, 415, 'no cross-site form can send one');
    assert.equal((await kept()).length, 6, 'nothing refused was kept');
  });
});
