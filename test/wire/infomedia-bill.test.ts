import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import soap from 'soap';
import { engines, startTestApp, type TestApp } from '../support/app.js';
import { assertLedgerConsistent } from '../support/ledger.js';
import { type Binding, BINDINGS, callMethod, expected, memberOf, PARTNER, PARTNER2, TEST_MX_KEYS } from '../support/infomedia.js';

const ZA = (nn: string) => `278255500${nn}`;

/** PINGenerateWithNetwork and SendBillWithPin: PINs, the core charge path, Conf outcomes by sandbox profile (§14.1). */
for (const engine of engines()) {
  describe(`Infomedia PINs and SendBillWithPin [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'infomedia_bill', { infomediaMxKeys: TEST_MX_KEYS });
    });
    after(() => t.close());

    const pinFor = async (msisdn: string, binding: Binding = 'json', sid = '1001', credentials = PARTNER) => {
      const answer = await callMethod(t, binding, 'PINGenerateWithNetwork', { MX: msisdn, MCC: '655', MNC: '01', SID: sid, ...credentials });
      const pin = memberOf(binding, answer, 'PINID');
      assert.match(pin ?? '', /^[0-9]{4}$/, answer.body);
      return pin as string;
    };
    const bill = (binding: Binding, msisdn: string, pin: string, extra: Record<string, string> = {}) =>
      callMethod(t, binding, 'SendBillWithPin', {
        BPID: '1001',
        PT: 'pass-through-1',
        MX: msisdn,
        MNC: '01',
        MCC: '655',
        Amount: '10.00',
        ItemDescription: 'Demo item',
        ...PARTNER,
        PIN: pin,
        ...extra,
      });
    const billAnswer = (binding: Binding, answer: { body: string }, conf: [string, string] | null, ported: [string, string] | null = null) => {
      const mx = memberOf(binding, answer as never, 'MX');
      const txid = memberOf(binding, answer as never, 'TXID');
      assert.match(txid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      return expected(binding, 'SendBillWithPin', 'Bill', 'MobilePaymentsLibrary.Bill', {
        Status: 'Success',
        Description: '00 - Everything was ok',
        BPID: '1001',
        MX: mx,
        TXID: txid,
        MCC: '655',
        MNC: '01',
        Conf: conf && {
          ...(binding === 'json' ? { __type: 'MobilePaymentsLibrary.Conf' } : {}),
          Status: conf[0],
          Description: conf[1],
          PortedMCC: ported?.[0] ?? null,
          PortedMNC: ported?.[1] ?? null,
        },
      });
    };
    const topError = (binding: Binding, description: string) =>
      expected(binding, 'SendBillWithPin', 'Bill', 'MobilePaymentsLibrary.Bill', {
        Status: 'Error',
        Description: description,
        BPID: null,
        MX: null,
        TXID: null,
        MCC: null,
        MNC: null,
      });

    for (const [index, binding] of BINDINGS.entries()) {
      it(`over ${binding}: a PIN is SMSed, PINID is the PIN, and SendBillWithPin with it pays once`, async () => {
        const msisdn = ZA(`3${index}`);
        const pin = await pinFor(msisdn, binding);
        const answer = await bill(binding, msisdn, pin);
        assert.deepEqual(answer, billAnswer(binding, answer, ['Success', '00 - Payment has been made']));
        const again = await bill(binding, msisdn, pin);
        assert.deepEqual(again, topError(binding, '36 - This Flow has already been completed'), 'a retry is not billed again');
        const payments = await t.app.db.kysely.selectFrom('payments').select(['status', 'amount_minor']).where('msisdn', '=', `+${msisdn}`).execute();
        assert.equal(payments.length, 1);
        assert.equal(payments[0]?.status, 'paid');
        assert.equal(String(payments[0]?.amount_minor), '1000');
        while ((await t.app.outbox.deliverDue()) > 0) {}
        const inbox = await t.app.http.inject({ method: 'GET', url: `/sandbox/handsets/${encodeURIComponent(`+${msisdn}`)}/messages` });
        const texts = (inbox.json() as { text: string }[]).map((m) => m.text);
        assert.deepEqual(texts, [`Your PIN for Demo once-off (10.00 ZAR) is ${pin}. It is valid for 10 minutes. Do not share it.`]);
      });
    }

    it('a wrong PIN is 35 and may be retried; after 5 guesses the flow is burnt (36); an expired PIN is 49', async () => {
      const msisdn = ZA('41');
      const pin = await pinFor(msisdn);
      const wrong = pin === '0000' ? '1111' : '0000';
      assert.deepEqual(await bill('get', msisdn, wrong), topError('get', '35 - The PIN entered does not match the generated PIN'));
      const answer = await bill('get', msisdn, pin);
      assert.equal(memberOf('get', answer, 'Description'), '00 - Everything was ok', 'the right PIN after a wrong one');
      const second = await pinFor(msisdn);
      const miss = second === '0000' ? '1111' : '0000';
      for (let i = 0; i < 5; i++) assert.equal(memberOf('get', await bill('get', msisdn, miss), 'Description'), '35 - The PIN entered does not match the generated PIN');
      assert.deepEqual(await bill('get', msisdn, second), topError('get', '36 - This Flow has already been completed'));
      const third = await pinFor(msisdn);
      t.clock.advance(10 * 60_000);
      assert.deepEqual(await bill('get', msisdn, third), topError('get', '49 - PIN has expired'));
    });

    it('no PIN for the product: 35; a product of another partner: 02; an unknown BPID or SID: 03 / 15', async () => {
      const msisdn = ZA('42');
      assert.deepEqual(await bill('post', msisdn, '1234'), topError('post', '35 - The PIN entered does not match the generated PIN'));
      assert.deepEqual(await bill('post', msisdn, '1234', { BPID: '2001' }), topError('post', '02 - Unuathorised'));
      assert.deepEqual(await bill('post', msisdn, '1234', { BPID: '999' }), topError('post', '03 - Invalid BPID'));
      const pinAnswer = (description: string) =>
        expected('post', 'PINGenerateWithNetwork', 'PINGenerateResult', 'MobilePaymentsLibrary.PINGenerateWithNetwork', { Status: 'Error', Description: description, PINID: null });
      const generate = (params: Record<string, string>) => callMethod(t, 'post', 'PINGenerateWithNetwork', { MX: msisdn, MCC: '655', MNC: '01', SID: '1001', ...PARTNER, ...params });
      assert.deepEqual(await generate({ SID: '2001' }), pinAnswer('02 - Unuathorised'));
      assert.deepEqual(await generate({ SID: '77' }), pinAnswer('15 - Invalid SID'));
      assert.deepEqual(await generate({ SID: 'x' }), pinAnswer('15 - Invalid SID'));
      assert.deepEqual(await generate({ MX: 'nonsense' }), pinAnswer('00 - Invalid MX'));
      assert.deepEqual(await generate({ MCC: '6555' }), pinAnswer('08 - Invalid MCC'));
      assert.deepEqual(await generate({ MNC: '' }), pinAnswer('07 - Invalid MNC'));
      assert.deepEqual(await generate({ P: 'wrong' }), pinAnswer('01 - Invalid Login'));
      assert.equal(memberOf('post', await callMethod(t, 'post', 'PINGenerateWithNetwork', { MX: msisdn, MCC: '655', MNC: '01', SID: '2001', ...PARTNER2 }), 'Status'), 'Success');
    });

    it('bad amount or network: 10, 08, 07 before the PIN is touched', async () => {
      const msisdn = ZA('43');
      const pin = await pinFor(msisdn);
      for (const Amount of ['', 'abc', '0', '-1', '1.234', '1e3']) assert.deepEqual(await bill('json', msisdn, pin, { Amount }), topError('json', '10 - Error attempting to bill. No bill sent'), Amount);
      assert.deepEqual(await bill('json', msisdn, pin, { MCC: '234' }), topError('json', '08 - Invalid MCC'));
      assert.deepEqual(await bill('json', msisdn, pin, { MNC: '10' }), topError('json', '07 - Invalid MNC'));
      const answer = await bill('json', msisdn, pin, { Amount: '0.25' });
      assert.deepEqual(answer, billAnswer('json', answer, ['Success', '00 - Payment has been made']), 'the PIN still works');
    });

    it('a JSON Amount may be a number; BPID, MCC and MNC may be numbers', async () => {
      const msisdn = ZA('44');
      const pin = await pinFor(msisdn);
      const response = await t.app.http.inject({
        method: 'POST',
        url: '/V/1/6/Default.asmx/SendBillWithPin',
        headers: { 'content-type': 'application/json' },
        payload: `{"BPID":1001,"PT":"x","MX":"${msisdn}","MNC":1,"MCC":655,"Amount":1.50,"ItemDescription":"d","U":"demo","P":"demo-password","PIN":"${pin}"}`,
      });
      assert.equal(memberOf('json', { status: 200, type: '', body: response.body }, 'Description'), '00 - Everything was ok', response.body);
      const row = await t.app.db.kysely.selectFrom('payments').select('amount_minor').where('msisdn', '=', `+${msisdn}`).executeTakeFirstOrThrow();
      assert.equal(String(row.amount_minor), '150');
    });

    const PROFILES: [nn: string, conf: [string, string] | null, top: string | null, ported?: [string, string]][] = [
      ['01', ['Error', '13.3 - The user has not paid - Unknown Subscriber'], null],
      ['02', ['Error', '13 - Pending, the user has not paid'], null],
      ['03', ['Error', '13.2 - The user has not paid - Operator Bar'], null],
      ['11', null, '10 - Error attempting to bill. No bill sent'],
      ['15', ['Error', '22 - User has ported'], null, ['655', '10']],
      ['17', ['Whitelisted', '00.1 - Whitelisted user, no charge has been made'], null],
      ['18', null, '37 - The MSISDN is Blacklisted'],
      ['20', ['Success', '00 - Payment has been made'], null],
    ];
    for (const [nn, conf, top, ported] of PROFILES) {
      it(`sandbox profile ${nn}: ${conf ? `Conf ${conf[1]}` : top}`, async () => {
        const msisdn = ZA(nn);
        const pin = await pinFor(msisdn);
        const answer = await bill('soap', msisdn, pin);
        assert.deepEqual(answer, conf ? billAnswer('soap', answer, conf, ported ?? null) : topError('soap', top as string));
      });
    }

    it('profile 05 (prepaid 50.00): paid while the balance covers Amount, then 13.1; profile 08 (10.00 left this month): 13.4 above it', async () => {
      const prepaid = ZA('05');
      for (const [amount, description] of [['40.00', '00 - Payment has been made'], ['20.00', '13.1 - The user has not paid - Insufficient Credit']]) {
        const answer = await bill('json', prepaid, await pinFor(prepaid), { Amount: amount as string });
        assert.equal(JSON.parse(answer.body).d.Conf.Description, description, answer.body);
      }
      const limited = ZA('08');
      for (const [amount, description] of [['20.00', '13.4 - The user has not paid - Expenditure limit reached'], ['5.00', '00 - Payment has been made']]) {
        const answer = await bill('json', limited, await pinFor(limited), { Amount: amount as string });
        assert.equal(JSON.parse(answer.body).d.Conf.Description, description, answer.body);
      }
    });

    it('profile 10: Conf Pending, the payment settles as paid later', async () => {
      const msisdn = ZA('10');
      const answer = await bill('json', msisdn, await pinFor(msisdn));
      assert.deepEqual(answer, billAnswer('json', answer, ['Pending', '13.5 - Pending, await Billing Receipt']));
      t.clock.advance(6_000);
      await t.app.payments.settlePending();
      const row = await t.app.db.kysely.selectFrom('payments').select(['id', 'status']).where('msisdn', '=', `+${msisdn}`).executeTakeFirstOrThrow();
      assert.equal(row.status, 'paid');
      const events = await t.app.db.kysely.selectFrom('outbox_events').select('payload').where('topic', '=', 'payment.settled').execute();
      const settled = events.map((e) => e.payload as Record<string, unknown>).filter((p) => p.paymentId === Number(row.id));
      assert.equal(settled.length, 1, 'the settlement is announced once');
      assert.equal(settled[0]?.status, 'paid');
      assert.equal(settled[0]?.clientReference, memberOf('json', answer, 'TXID'), 'under the TXID the partner was given');
    });

    it('50 concurrent SendBillWithPin with one PIN, in all bindings: one bill, the others 36', async () => {
      const msisdn = ZA('45');
      const pin = await pinFor(msisdn);
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => bill(BINDINGS[i % BINDINGS.length] as Binding, msisdn, pin)));
      const descriptions = answers.map((answer, i) => {
        const binding = BINDINGS[i % BINDINGS.length] as Binding;
        return binding === 'json' ? (JSON.parse(answer.body).d.Conf?.Description ?? JSON.parse(answer.body).d.Description) : (/<Conf><Status>[^<]*<\/Status><Description>([^<]*)/.exec(answer.body)?.[1] ?? memberOf(binding, answer, 'Description'));
      });
      assert.equal(descriptions.filter((d) => d === '00 - Payment has been made').length, 1, JSON.stringify(descriptions));
      assert.equal(descriptions.filter((d) => d === '36 - This Flow has already been completed').length, 49);
      const rows = await t.app.db.kysely.selectFrom('payments').select('status').where('msisdn', '=', `+${msisdn}`).execute();
      assert.deepEqual(rows, [{ status: 'paid' }]);
      await assertLedgerConsistent(t.app);
    });

    it('20 concurrent wrong guesses at one PIN: 5 are counted (35), the rest find it burnt (36), and so does the right PIN', async () => {
      const msisdn = ZA('48');
      const pin = await pinFor(msisdn);
      const miss = pin === '0000' ? '1111' : '0000';
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => bill(BINDINGS[i % BINDINGS.length] as Binding, msisdn, miss)));
      const descriptions = answers.map((answer, i) => memberOf(BINDINGS[i % BINDINGS.length] as Binding, answer, 'Description'));
      assert.equal(descriptions.filter((d) => d === '35 - The PIN entered does not match the generated PIN').length, 5, JSON.stringify(descriptions));
      assert.equal(descriptions.filter((d) => d === '36 - This Flow has already been completed').length, 15, JSON.stringify(descriptions));
      const rows = await t.app.db.kysely.selectFrom('charge_pins').select(['attempts', 'used_at']).where('msisdn', '=', `+${msisdn}`).execute();
      assert.deepEqual(rows, [{ attempts: 5, used_at: null }]);
      assert.deepEqual(await bill('get', msisdn, pin), topError('get', '36 - This Flow has already been completed'));
    });

    it('a PIN hashed under the salted scheme of before (issued before an upgrade) is still judged: a wrong guess counts, the right one bills', async () => {
      const msisdn = ZA('49');
      const pin = await pinFor(msisdn);
      // The scheme of before: hmac$salt$HMAC(key, salt ‖ PIN), under the key the composition derives from the sealing key.
      const pinKey = createHmac('sha256', Buffer.alloc(32, 7)).update('charge pin key').digest();
      const salt = Buffer.alloc(16, 3);
      const salted = `hmac$${salt.toString('base64')}$${createHmac('sha256', pinKey).update(salt).update(pin).digest('base64')}`;
      await t.app.db.kysely.updateTable('charge_pins').set({ pin_hash: salted }).where('msisdn', '=', `+${msisdn}`).execute();
      const miss = pin === '0000' ? '1111' : '0000';
      assert.deepEqual(await bill('get', msisdn, miss), topError('get', '35 - The PIN entered does not match the generated PIN'));
      assert.equal(memberOf('get', await bill('get', msisdn, pin), 'Description'), '00 - Everything was ok');
      const rows = await t.app.db.kysely.selectFrom('charge_pins').select('attempts').where('msisdn', '=', `+${msisdn}`).where('used_at', 'is not', null).execute();
      assert.deepEqual(rows, [{ attempts: 2 }]);
      assert.deepEqual(await bill('get', msisdn, pin), topError('get', '36 - This Flow has already been completed'));
    });

    it('a client generated from the served WSDL (npm soap) calls every method', async () => {
      const baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
      // The client's methods are generated from the WSDL at run time: no static type to give it.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const client: any = await soap.createClientAsync(`${baseUrl}/V/1/6/Default.asmx?wsdl`);
      const msisdn = ZA('46');
      const [generated] = await client.PINGenerateWithNetworkAsync({ MX: msisdn, MCC: '655', MNC: '01', SID: 1001, ...PARTNER });
      const pin = generated.PINGenerateWithNetworkResult.PINID;
      assert.deepEqual(generated, { PINGenerateWithNetworkResult: { Status: 'Success', Description: '00 - Everything was OK', PINID: pin } });
      const [billed] = await client.SendBillWithPinAsync({ BPID: 1001, PT: 'p', MX: msisdn, MNC: 1, MCC: 655, Amount: '2.50', ItemDescription: 'd', ...PARTNER, PIN: pin });
      const result = billed.SendBillWithPinResult;
      assert.deepEqual(result, {
        Status: 'Success',
        Description: '00 - Everything was ok',
        BPID: '1001',
        MX: result.MX,
        TXID: result.TXID,
        MCC: '655',
        MNC: '01',
        Conf: { Status: 'Success', Description: '00 - Payment has been made', PortedMCC: '', PortedMNC: '' },
      });
      const [decrypted] = await client.DecryptMXAsync({ MX: result.MX, ...PARTNER });
      assert.deepEqual(decrypted, { DecryptMXResult: { Status: 'Success', Description: '00 - Everything was ok', MSISDN: msisdn } });
      const [aliased] = await client.AliasLookUpAsync({ MX: result.MX, MCC: '655', MNC: '01', ...PARTNER });
      assert.equal(aliased.AliasLookUpResult.Status, 'Success');
      const wsdl = await (await fetch(`${baseUrl}/V/1/6/Default.asmx?WSDL`)).text();
      assert.ok(
        wsdl.includes(
          '<s:element minOccurs="0" maxOccurs="1" name="ItemDescription" type="s:string"/><s:element minOccurs="0" maxOccurs="1" name="U" type="s:string"/><s:element minOccurs="0" maxOccurs="1" name="P" type="s:string"/><s:element minOccurs="0" maxOccurs="1" name="PIN" type="s:string"/>',
        ),
        'U and P before PIN, as the document orders them',
      );
    });

    it('PINGenerateWithParams: the params word the SMS (keys in any case), the PIN bills the product', async () => {
      const msisdn = ZA('47');
      const response = await t.app.http.inject({
        method: 'POST',
        url: '/v/1/6/default.asmx/PINGenerateWithParams',
        headers: { 'content-type': 'application/json' },
        payload: {
          ProductID: '1002',
          MX: msisdn,
          MCC: '655',
          MNC: '01',
          U: 'demo',
          P: 'demo-password',
          Params: [
            { Key: 'Amount', Value: 5 },
            { Key: 'frequency', Value: 'week' },
            { Key: 'language', Value: 'en' },
            { Key: 'DESCRIPTION', Value: 'Demo club' },
          ],
        },
      });
      const d = (response.json() as { d: Record<string, string> }).d;
      assert.deepEqual(d, { __type: 'MobilePaymentsLibrary.PINGenerateWithParams', Status: 'Success', Description: '00 - Everything was OK', PINID: d.PINID });
      while ((await t.app.outbox.deliverDue()) > 0) {}
      const inbox = await t.app.http.inject({ method: 'GET', url: `/sandbox/handsets/${encodeURIComponent(`+${msisdn}`)}/messages` });
      assert.deepEqual(
        (inbox.json() as { text: string }[]).map((m) => m.text),
        [`Your PIN for Demo club (5 per week) is ${d.PINID}. It is valid for 10 minutes. Do not share it.`],
      );
      const billed = await bill('json', msisdn, d.PINID as string, { BPID: '1002', Amount: '5.00' });
      assert.equal(JSON.parse(billed.body).d.Conf.Description, '00 - Payment has been made', billed.body);
      const plain = await callMethod(t, 'soap', 'PINGenerateWithParams', { ProductID: '1001', MX: msisdn, MCC: '655', MNC: '01', ...PARTNER });
      assert.match(memberOf('soap', plain, 'PINID') ?? '', /^[0-9]{4}$/, 'no Params at all: the product words the SMS');
      const foreign = await callMethod(t, 'get', 'PINGenerateWithParams', { ProductID: '2001', MX: msisdn, MCC: '655', MNC: '01', ...PARTNER });
      assert.deepEqual(
        foreign,
        expected('get', 'PINGenerateWithParams', 'PINGenerateWithParamsResult', 'MobilePaymentsLibrary.PINGenerateWithParams', { Status: 'Error', Description: '02 - Unuathorised', PINID: null }),
      );
    });

    it('the ledger is consistent after all of it', async () => {
      await assertLedgerConsistent(t.app);
    });
  });
}
