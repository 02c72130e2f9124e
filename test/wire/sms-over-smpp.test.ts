import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { DEMO_AUTH, startTestApp, type TestApp } from '../support/app.js';
import { smppSettings, TestSmsc } from '../support/smsc.js';

/** SMS_CONNECTOR=smpp: the platform's own SMS (a verification code) go to the SMSC, not to the sandbox inbox, though the sandbox is on. */
describe('SMS_CONNECTOR=smpp in the composed app', () => {
  let smsc: TestSmsc;
  let t: TestApp;
  before(async () => {
    smsc = new TestSmsc({ receipts: true });
    const port = await smsc.listen();
    t = await startTestApp('pglite', 'smpp', {
      sms: { connector: 'smpp', smpp: smppSettings(port) },
    });
  });
  after(async () => {
    await t.close();
    await smsc.close();
  });

  it('binds at start; a verification code is submitted once over SMPP, its receipt makes it delivered, its text erased', async () => {
    assert.equal(smsc.binds, 1, 'bound before any SMS');
    const response = await t.app.http.inject({
      method: 'POST',
      url: '/RestV1.svc/service/1000/verificationcode',
      headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
      payload: JSON.stringify({ Msisdn: '+4741209999' }),
    });
    assert.equal(response.statusCode, 200);
    while ((await t.app.outbox.deliverDue()) > 0) {}
    assert.equal(smsc.accepted.length, 1);
    assert.match(smsc.accepted[0]?.text ?? '', /^Your verification code is \d{6}$/);
    assert.deepEqual([smsc.accepted[0]?.destination, smsc.accepted[0]?.source], ['4741209999', 'Strex']);
    const inbox = await t.app.http.inject({ method: 'GET', url: '/sandbox/handsets/%2B4741209999/messages' });
    assert.deepEqual(inbox.json(), [], 'nothing in the sandbox inbox');
    type Row = { state: string; body: string | null; connector: string; connector_message_id: string };
    let rows: Row[] = [];
    for (let i = 0; i < 200; i += 1) {
      rows = (await sql<Row>`SELECT state, body, connector, connector_message_id FROM messages`.execute(t.app.db.kysely)).rows;
      if (rows[0]?.state === 'delivered') break;
      await sleep(10);
    }
    assert.deepEqual(rows, [{ state: 'delivered', body: null, connector: 'smpp', connector_message_id: 'smsc-1' }]);
  });
});
