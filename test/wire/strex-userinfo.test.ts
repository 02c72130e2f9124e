import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_AUTH, engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import { StrexClient } from '../support/strex.js';

/** Strex "Get user information" v1, v2, v3 and summary over REST. */
for (const engine of engines()) {
  describe(`Strex REST user information [${engine}]`, () => {
    let t: TestApp;
    let strex: StrexClient;
    before(async () => {
      t = await startTestApp(engine, 'userinfo');
      strex = new StrexClient(t.app);
    });
    after(() => t.close());

    const get = async (path: string, headers: Record<string, string> = {}) => {
      const response = await t.app.http.inject({
        method: 'GET',
        url: `/RestV1.svc/service/1000/msisdn/${path}`,
        headers: { authorization: DEMO_AUTH, ...headers },
      });
      const json = String(response.headers['content-type'] ?? '').includes('json');
      return { status: response.statusCode, text: response.body, body: json ? response.json() : undefined };
    };
    const pay = async (msisdn: string, price: number) => {
      const response = await strex.pay({ Msisdn: msisdn, Price: price, ServiceCode: '10002', ClientReference: uniqueReference('ui') });
      assert.equal(response.status, 200, response.text);
      return (response.body as { TransactionId: number }).TransactionId;
    };

    describe('v1', () => {
      it('reports Validity from the registration, and the terminal type', async () => {
        const expected: Record<string, number> = { '00': 2, '01': 0, '02': 1, '03': 3, '04': 4 };
        for (const [nn, validity] of Object.entries(expected)) {
          const response = await get(`+47900000${nn}`);
          assert.deepEqual(response, {
            status: 200,
            text: response.text,
            body: { Msisdn: `+47900000${nn}`, Validity: validity, TerminalType: 'Sandbox Phone' },
          });
        }
      });

      it('accepts the MSISDN as +47…, %2B47…, 47… and 0047…; anything else → code 13', async () => {
        for (const form of ['+4790000004', '%2B4790000004', '4790000004', '004790000004']) {
          assert.equal((await get(form)).body.Msisdn, '+4790000004', form);
        }
        assert.deepEqual((await get('12345')).body, { Code: 13, Description: 'Invalid msisdn' });
      });

      it('needs the service credentials', async () => {
        const response = await t.app.http.inject({ method: 'GET', url: '/RestV1.svc/service/1000/msisdn/+4790000000' });
        assert.equal(response.statusCode, 401);
        assert.deepEqual(response.json(), { Code: 1, Description: 'Invalid service credentials' });
      });
    });

    describe('v2 sell validation', () => {
      it('answers 200 with an empty body when a Pay would pass', async () => {
        const response = await get('+4790000000/userinfoV2?amount=2500&serviceCode=10002&age=18');
        assert.deepEqual([response.status, response.text], [200, '']);
        const seventeen = await get('+4790000007/userinfoV2?amount=100&serviceCode=10002&age=17');
        assert.deepEqual([seventeen.status, seventeen.text], [200, ''], 'checked to be at or above the given age');
      });

      it("says why a Pay would fail, with Pay's own faults", async () => {
        const cases: [string, number, { Code: number; Description: string }][] = [
          ['+4790000007/userinfoV2?amount=100&serviceCode=10002&age=18', 424, { Code: 12, Description: 'The subscriber is below the required age 18' }],
          ['+4790000003/userinfoV2?amount=100&serviceCode=10002', 403, { Code: 7, Description: 'Billing is barred for the msisdn' }],
          ['+4790000018/userinfoV2?amount=100&serviceCode=10002', 403, { Code: 6, Description: 'The msisdn is blacklisted' }],
          ['+4790000000/userinfoV2?amount=99&serviceCode=10002', 400, { Code: 2, Description: 'Price 99 is below the minimum 100 for service code 10002' }],
          ['+4790000008/userinfoV2?amount=1001&serviceCode=10002', 424, { Code: 8, Description: "The subscriber's monthly spending limit would be exceeded" }],
          ['+4790000000/userinfoV2?serviceCode=10002', 400, { Code: 2, Description: 'Invalid amount' }],
          ['+4790000000/userinfoV2?amount=100', 400, { Code: 2, Description: 'Invalid service code ' }],
          // Any minimum age here, not only Pay's 16 and 18: the subscriber of 07 is 17.
          ['+4790000007/userinfoV2?amount=100&serviceCode=10002&age=20', 424, { Code: 12, Description: 'The subscriber is below the required age 20' }],
          ['+4790000000/userinfoV2?amount=100&serviceCode=10002&age=151', 400, { Code: 2, Description: 'Invalid age' }],
          ['+4790000000/userinfoV2?amount=100&serviceCode=10002&age=x', 400, { Code: 2, Description: 'Invalid age' }],
        ];
        for (const [path, status, fault] of cases) {
          const response = await get(path);
          assert.deepEqual([response.status, response.body], [status, fault], path);
        }
      });

      it('follows the ledger: what was spent this month counts', async () => {
        assert.equal((await get('+4790000008/userinfoV2?amount=1000&serviceCode=10002')).status, 200);
        await pay('+4790000008', 600);
        assert.equal((await get('+4790000008/userinfoV2?amount=400&serviceCode=10002')).status, 200);
        assert.equal((await get('+4790000008/userinfoV2?amount=401&serviceCode=10002')).body.Code, 8);
      });
    });

    describe('v3 limits', () => {
      it('reports source of funds, subscription type and limits, -1 where no limit applies', async () => {
        assert.deepEqual((await get('+4790000000/userinfoV3')).body, {
          PreferredSourceOfFunds: 1,
          SubscriptionType: 0,
          MaxAmountPrTransaction: 500_000,
          RemainingMonthlyAmount: 500_000,
          RemainingYearlyAmount: 2_500_000,
        });
        assert.equal((await get('+4790000004/userinfoV3')).body.RemainingYearlyAmount, -1);
        assert.equal((await get('+4790000005/userinfoV3')).body.SubscriptionType, 1);
        assert.equal((await get('+4790000016/userinfoV3')).body.PreferredSourceOfFunds, 3);
      });

      it('remaining amounts change after a payment and after its reversal', async () => {
        const msisdn = '+4790000060';
        const id = await pay(msisdn, 15_000);
        const afterPay = (await get(`${msisdn}/userinfoV3`)).body;
        assert.deepEqual([afterPay.RemainingMonthlyAmount, afterPay.RemainingYearlyAmount], [485_000, 2_485_000]);
        assert.equal((await strex.reverse(id)).status, 200);
        const afterReversal = (await get(`${msisdn}/userinfoV3`)).body;
        assert.deepEqual([afterReversal.RemainingMonthlyAmount, afterReversal.RemainingYearlyAmount], [500_000, 2_500_000]);
      });

      it('0 when the monthly limit is reached', async () => {
        await pay('+4790000008', 400);
        assert.equal((await get('+4790000008/userinfoV3')).body.RemainingMonthlyAmount, 0);
      });
    });

    describe('summary', () => {
      it('runs all three checks; a failing one is a fault member, the others null', async () => {
        const response = await get('+4790000006/userinfoSummary?amount=100&serviceCode=10002&Age=18');
        assert.equal(response.status, 200);
        assert.deepEqual(response.body, {
          ResponseV1: { Msisdn: '+4790000006', Validity: 2, TerminalType: 'Sandbox Phone' },
          ResponseV1Fault: null,
          ResponseV2: null,
          ResponseV2Fault: { Code: 12, Description: 'The subscriber is below the required age 18' },
          ResponseV3: { PreferredSourceOfFunds: 1, SubscriptionType: 0, MaxAmountPrTransaction: 500_000, RemainingMonthlyAmount: 500_000, RemainingYearlyAmount: 2_500_000 },
          ResponseV3Fault: null,
        });
        const passing = await get('+4790000007/userinfoSummary?amount=100&serviceCode=10002&Age=16');
        assert.deepEqual([passing.body.ResponseV2, passing.body.ResponseV2Fault], [{}, null]);
      });

      it('424 with a DirectPaymentFault when the operator does not know the subscriber', async () => {
        const response = await get('+4790000001/userinfoSummary?amount=100&serviceCode=10002');
        assert.deepEqual([response.status, response.body], [424, { Code: 12, Description: 'Unknown subscriber at the operator' }]);
      });

      it('in XML, null members are i:nil', async () => {
        const response = await get('+4790000006/userinfoSummary?amount=100&serviceCode=10002&Age=18', { accept: 'application/xml' });
        assert.match(
          response.text,
          /^<UserInformationSummary xmlns="http:\/\/directpay.intele.com\/v1\/types" xmlns:i="http:\/\/www.w3.org\/2001\/XMLSchema-instance"><ResponseV1><Msisdn>\+4790000006<\/Msisdn><Validity>2<\/Validity><TerminalType>Sandbox Phone<\/TerminalType><\/ResponseV1><ResponseV1Fault i:nil="true"><\/ResponseV1Fault><ResponseV2 i:nil="true"><\/ResponseV2><ResponseV2Fault><Code>12<\/Code>/,
        );
      });
    });
  });
}
