import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engines, startTestApp, type TestApp } from '../support/app.js';
import { type Answer, type Binding, BINDINGS, callMethod, expected, IM_BASE, IM_NS, memberOf, PARTNER, TEST_MX_KEYS, TEST_SEALER } from '../support/infomedia.js';

const NETWORK = { MCC: '655', MNC: '01' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** SubscriptionJoinWithParams (§12, §14): a PIN approves joining; a plan without trial bills its first period through the core charge path. */
for (const engine of engines()) {
  describe(`Infomedia SubscriptionJoinWithParams [${engine}]`, () => {
    let t: TestApp;
    let partnerEndpointId: number;
    before(async () => {
      t = await startTestApp(engine, 'infomedia_subscription_join', { infomediaMxKeys: TEST_MX_KEYS });
      const row = await t.app.db.kysely.selectFrom('credentials').select('endpoint_id').where('identifier', '=', PARTNER.U).where('kind', '=', 'password').executeTakeFirstOrThrow();
      partnerEndpointId = Number(row.endpoint_id);
    });
    after(() => t.close());

    const pinFor = async (msisdn: string, sid: string) => {
      const answer = await callMethod(t, 'json', 'PINGenerateWithNetwork', { MX: msisdn.slice(1), ...NETWORK, SID: sid, ...PARTNER });
      return memberOf('json', answer, 'PINID') ?? assert.fail(answer.body);
    };
    /** Over JSON the PIN travels in Params as the client sends it; the other bindings carry it as a parameter of its own. */
    const join = async (binding: Binding, msisdn: string, sid: string, pin: string): Promise<Answer> => {
      if (binding !== 'json') return callMethod(t, binding, 'SubscriptionJoinWithParams', { SID: sid, MX: msisdn.slice(1), ...NETWORK, PIN: pin, PTSubscriberID: 'sub-1', ...PARTNER });
      const body = { SID: sid, MX: msisdn.slice(1), ...NETWORK, ...PARTNER, Params: [{ Key: 'PIN', Value: pin }, { Key: 'PTSubscriberID', Value: 'sub-1' }] };
      const response = await t.app.http.inject({ method: 'POST', url: `${IM_BASE}/SubscriptionJoinWithParams`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body), remoteAddress: '192.0.2.10' });
      return { status: response.statusCode, type: String(response.headers['content-type']), body: response.body };
    };
    const joined = (binding: Binding, members: Record<string, unknown>) =>
      expected(binding, 'SubscriptionJoinWithParams', 'SubsJoin', 'MobilePaymentsLibrary.SubscriptionJoinWithParams', members);
    const user = (subscribed: boolean) => ({ __type: 'MobilePaymentsLibrary.User', Subscribed: String(subscribed), Suspended: 'false' });
    const conf = (Status: string, Description: string) => ({ __type: 'MobilePaymentsLibrary.Conf', Status, Description, PortedMCC: null, PortedMNC: null });
    const success = (binding: Binding, answer: Answer, msisdn: string, sid: string, rest: Record<string, unknown>) => {
      const mx = memberOf(binding, answer, 'MX') ?? '';
      assert.equal(TEST_SEALER.open(partnerEndpointId, mx), msisdn);
      return joined(binding, { Status: 'Success', Description: '00 - Everything was ok', SID: sid, MX: mx, ...NETWORK, ...rest });
    };
    const error = (Description: string) => ({ Status: 'Error', Description, SID: null, MX: null, MCC: null, MNC: null, TXID: null });
    const stateOf = async (msisdn: string, productId: number) =>
      (await t.app.db.kysely.selectFrom('subscriptions').select(['state', 'reference']).where('msisdn', '=', msisdn).where('product_id', '=', productId).orderBy('id', 'desc').executeTakeFirst()) ?? null;

    for (const [index, binding] of BINDINGS.entries()) {
      it(`over ${binding}: a monthly plan bills its first period and is active; joining again answers subscribed and bills nothing`, async () => {
        const msisdn = `+2782555020${index}`;
        const pin = await pinFor(msisdn, '1003');
        const answer = await join(binding, msisdn, '1003', pin);
        const txid = memberOf(binding, answer, 'TXID') ?? '';
        assert.match(txid, UUID);
        assert.deepEqual(answer, success(binding, answer, msisdn, '1003', { User: user(true), TXID: txid, Conf: conf('Success', '00 - Payment has been made') }));
        assert.deepEqual(await stateOf(msisdn, 1003), { state: 'active', reference: 'sub-1' });
        const payments = await t.app.db.kysely.selectFrom('payments').select(['amount_minor', 'status', 'client_reference']).where('msisdn', '=', msisdn).execute();
        assert.deepEqual(payments.map((p) => [Number(p.amount_minor), p.status, p.client_reference]), [[2000, 'paid', txid]], 'the product’s own price, once');
        const again = await join(binding, msisdn, '1003', pin);
        assert.deepEqual(again, success(binding, again, msisdn, '1003', { User: user(true), TXID: null }));
        const check = await callMethod(t, binding, 'SubscriptionCheck', { SID: '1003', MX: msisdn.slice(1), ...NETWORK, ...PARTNER });
        assert.equal(memberOf(binding, check, 'Description'), '00 - User is subscribed');
      });

      it(`over ${binding}: a plan with a free trial starts it and bills nothing; the PIN then cannot be used again (36)`, async () => {
        const msisdn = `+2782555021${index}`;
        const pin = await pinFor(msisdn, '1002');
        const answer = await join(binding, msisdn, '1002', pin);
        assert.deepEqual(answer, success(binding, answer, msisdn, '1002', { User: user(true), TXID: null }));
        assert.deepEqual(await stateOf(msisdn, 1002), { state: 'trial', reference: 'sub-1' });
        await callMethod(t, binding, 'SubscriptionUnsubscribe', { SID: '1002', MX: msisdn.slice(1), ...NETWORK, ...PARTNER });
        assert.deepEqual(await join(binding, msisdn, '1002', pin), joined(binding, error('36 - This Flow has already been completed')));
      });

      it(`over ${binding}: a refused first bill ends the subscription (Conf 13.2); blacklisted is 37; wrong PIN 35; a once-off product 15`, async () => {
        const barredAnswer = await join(binding, '+27825550003', '1003', await pinFor('+27825550003', '1003'));
        assert.deepEqual(barredAnswer, success(binding, barredAnswer, '+27825550003', '1003', {
          User: user(false),
          TXID: memberOf(binding, barredAnswer, 'TXID'),
          Conf: conf('Error', '13.2 - The user has not paid - Operator Bar'),
        }));
        assert.equal((await stateOf('+27825550003', 1003))?.state, 'cancelled');
        const blacklisted = await join(binding, '+27825550018', '1003', await pinFor('+27825550018', '1003'));
        assert.deepEqual(blacklisted, joined(binding, error('37 - The MSISDN is Blacklisted')));
        assert.equal((await stateOf('+27825550018', 1003))?.state, 'cancelled');
        const msisdn = `+2782555022${index}`;
        await pinFor(msisdn, '1003');
        assert.deepEqual(await join(binding, msisdn, '1003', '0000x'), joined(binding, error('35 - The PIN entered does not match the generated PIN')));
        assert.equal(await stateOf(msisdn, 1003), null);
        assert.deepEqual(await join(binding, msisdn, '1001', '1234'), joined(binding, error('15 - Invalid SID')));
        assert.deepEqual(await join(binding, msisdn, '2001', '1234'), joined(binding, error('02 - Unuathorised')));
      });
    }

    it('10 concurrent joins with one PIN bill once and make one subscription; each other is told the flow is completed or is answered the subscription unbilled', async () => {
      const msisdn = '+27825550298';
      const pin = await pinFor(msisdn, '1003');
      const answers = await Promise.all(Array.from({ length: 10 }, () => join('json', msisdn, '1003', pin)));
      const billed = answers.filter((a) => memberOf('json', a, 'TXID') !== null);
      assert.equal(billed.length, 1);
      for (const answer of answers.filter((a) => memberOf('json', a, 'TXID') === null)) {
        const description = memberOf('json', answer, 'Description');
        // Which depends only on how far the billed join had got when this one looked: PIN used (36),
        // or the subscription there, pending its first bill or active (answered as it stands, unbilled).
        assert.ok(description === '36 - This Flow has already been completed' || (description === '00 - Everything was ok' && !answer.body.includes('"Conf"')), answer.body);
      }
      const payments = await t.app.db.kysely.selectFrom('payments').select('status').where('msisdn', '=', msisdn).execute();
      assert.deepEqual(payments.map((p) => p.status), ['paid']);
      const rows = await t.app.db.kysely.selectFrom('subscriptions').select('state').where('msisdn', '=', msisdn).execute();
      assert.deepEqual(rows.map((r) => r.state), ['active']);
    });

    it('a first bill the operator has not answered (profile 10) leaves the subscription pending; a second join bills nothing more', async () => {
      const msisdn = '+27825550010';
      const first = await join('json', msisdn, '1003', await pinFor(msisdn, '1003'));
      assert.deepEqual(first, success('json', first, msisdn, '1003', { User: user(false), TXID: memberOf('json', first, 'TXID'), Conf: conf('Pending', '13.5 - Pending, await Billing Receipt') }));
      assert.equal((await stateOf(msisdn, 1003))?.state, 'pending');
      const pin = await pinFor(msisdn, '1003');
      const second = await join('json', msisdn, '1003', pin);
      assert.deepEqual(second, success('json', second, msisdn, '1003', { User: user(false), TXID: null }));
      const payments = await t.app.db.kysely.selectFrom('payments').select('id').where('msisdn', '=', msisdn).execute();
      assert.equal(payments.length, 1, 'one bill');
      const bill = await callMethod(t, 'json', 'SendBillWithPin', { BPID: '1003', PT: 'x', MX: msisdn.slice(1), ...NETWORK, Amount: '1.00', ItemDescription: 'x', ...PARTNER, PIN: pin });
      assert.notEqual(memberOf('json', bill, 'Description'), '36 - This Flow has already been completed', 'the second PIN was left unused');
    });

    it('over SOAP, Params of DataKeyValuePair carry the PIN as over JSON', async () => {
      const msisdn = '+27825550299';
      const pin = await pinFor(msisdn, '1002');
      const members =
        `<SID>1002</SID><MX>${msisdn.slice(1)}</MX><MCC>655</MCC><MNC>01</MNC>` +
        `<Params><DataKeyValuePair><Key>pin</Key><Value>${pin}</Value></DataKeyValuePair></Params><U>demo</U><P>demo-password</P>`;
      const response = await t.app.http.inject({
        method: 'POST',
        url: IM_BASE,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${IM_NS}/SubscriptionJoinWithParams"` },
        payload: `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><SubscriptionJoinWithParams xmlns="${IM_NS}">${members}</SubscriptionJoinWithParams></soap:Body></soap:Envelope>`,
        remoteAddress: '192.0.2.10',
      });
      const answer = { status: response.statusCode, type: String(response.headers['content-type']), body: response.body };
      assert.deepEqual(answer, success('soap', answer, msisdn, '1002', { User: user(true), TXID: null }));
      assert.deepEqual(await stateOf(msisdn, 1002), { state: 'trial', reference: null });
    });
  });
}
