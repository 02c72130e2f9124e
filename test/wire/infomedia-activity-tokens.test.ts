import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import soapClient from 'soap';
import { TokenService } from '../../src/core/tokens/service.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { SqlTokenRepository } from '../../src/storage/repositories/purchase-tokens.js';
import { engines, startTestApp, type TestApp } from '../support/app.js';
import { type Answer, expected, IM_BASE, IM_NS, PARTNER, TEST_MX_KEYS, TEST_SEALER } from '../support/infomedia.js';

const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>';
type Pair = readonly [string, string];

function soapCall(method: string, members: string): string {
  return (
    `${XML_DECL}<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">` +
    `<soap:Body><${method} xmlns="${IM_NS}">${members}</${method}></soap:Body></soap:Envelope>`
  );
}
const pairsXml = (element: string, pairs: readonly Pair[]) =>
  `<${element}>${pairs.map(([k, v]) => `<DataKeyValuePair><Key>${k}</Key><Value>${v}</Value></DataKeyValuePair>`).join('')}</${element}>`;
const credentialsXml = (credentials: { U: string; P: string } = PARTNER) => `<U>${credentials.U}</U><P>${credentials.P}</P>`;

/** LogActivity (§4.9, SOAP only) and RequestToken (§4.1, SOAP and JSON) on core's activity log and purchase tokens. */
for (const engine of engines()) {
  describe(`Infomedia LogActivity, RequestToken [${engine}]`, () => {
    let t: TestApp;
    let partnerEndpointId: number;
    before(async () => {
      t = await startTestApp(engine, 'infomedia_activity_tokens', { infomediaMxKeys: TEST_MX_KEYS });
      const row = await t.app.db.kysely.selectFrom('credentials').select('endpoint_id').where('identifier', '=', PARTNER.U).where('kind', '=', 'password').executeTakeFirstOrThrow();
      partnerEndpointId = Number(row.endpoint_id);
    });
    after(() => t.close());

    const soap = async (method: string, members: string): Promise<Answer> => {
      const response = await t.app.http.inject({
        method: 'POST',
        url: IM_BASE,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${IM_NS}/${method}"` },
        payload: soapCall(method, members),
        remoteAddress: '192.0.2.10',
      });
      return { status: response.statusCode, type: String(response.headers['content-type']), body: response.body };
    };
    const json = async (method: string, body: unknown): Promise<Answer> => {
      const response = await t.app.http.inject({
        method: 'POST',
        url: `${IM_BASE}/${method}`,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        payload: JSON.stringify(body),
        remoteAddress: '192.0.2.10',
      });
      return { status: response.statusCode, type: String(response.headers['content-type']), body: response.body };
    };
    const logActivity = (productId: string, engagementTypeId: string, data: readonly Pair[], extra = '') =>
      soap('LogActivity', `<ProductID>${productId}</ProductID><MX>27825550001</MX><MCC>655</MCC><MNC>01</MNC><EngagementTypeID>${engagementTypeId}</EngagementTypeID>${pairsXml('Data', data)}${extra}${credentialsXml()}`);
    const logged = (members: Record<string, unknown>) => expected('soap', 'LogActivity', 'LogActivityResult', 'MobilePaymentsLibrary.LogActivity', members);
    const bad = (detail: string) => logged({ Status: 'Error', Description: `39 - Invalid Engagement Data Parameters Supplied: ${detail}`, EngagementID: null });

    it('LogActivity keeps the activity with typed data and answers its EngagementID', async () => {
      const answer = await logActivity('1002', '6', [
        ['BannerID', '42'],
        ['landingpageengagementid', '9223372036854775807'],
        ['Amount', '0.25'],
        ['UserAgent', 'Mozilla/5.0 &amp; more'],
      ]);
      const rows = await t.app.db.kysely.selectFrom('activity_entries').selectAll().orderBy('id', 'desc').limit(1).execute();
      const [row] = rows;
      assert.ok(row);
      assert.deepEqual(answer, logged({ Status: 'Success', Description: '00 - Everything was OK', EngagementID: String(row.id) }));
      assert.deepEqual(
        [row.engagement, row.msisdn, row.operator, Number(row.product_id), Number(row.endpoint_id), row.data],
        [
          'banner-clicked',
          '+27825550001',
          '655-01',
          1002,
          partnerEndpointId,
          [
            ['BannerID', 'integer', '42'],
            ['LandingPageEngagementID', 'integer', '9223372036854775807'],
            ['Amount', 'decimal', '0.25'],
            ['UserAgent', 'text', 'Mozilla/5.0 & more'],
          ],
        ],
      );
      const empty = await logActivity('1003', '8', []);
      assert.equal(empty.status, 200);
      assert.match(empty.body, /<Status>Success<\/Status><Description>00 - Everything was OK<\/Description><EngagementID>[0-9]+<\/EngagementID>/);
    });

    it('LogActivity: bad data, an unknown engagement type, a bad product, MX or network are 39 with details; another partner’s product is 02', async () => {
      assert.deepEqual(await logActivity('1002', '6', [['BannerID', 'forty-two']]), bad('BannerID must be an Integer (given: forty-two)'));
      assert.deepEqual(await logActivity('1002', '6', [['Colour', 'red']]), bad('Colour is not a data key'));
      assert.deepEqual(await logActivity('1002', '6', [['UserAgent', 'x'.repeat(1001)]]), bad('data UserAgent must be at most 1000 characters'));
      assert.deepEqual(await logActivity('1002', '3', []), bad('EngagementTypeID 3 is not an engagement type'));
      assert.deepEqual(await logActivity('9999', '6', []), bad('ProductID is not a product'));
      assert.deepEqual(await logActivity('2001', '6', []), logged({ Status: 'Error', Description: '02 - Unuathorised', EngagementID: null }));
      const noData = await soap('LogActivity', `<ProductID>1002</ProductID><MX>27825550001</MX><MCC>655</MCC><MNC>01</MNC><EngagementTypeID>6</EngagementTypeID>${credentialsXml()}`);
      assert.deepEqual(noData, bad('Data is required'));
      const badMx = await soap('LogActivity', `<ProductID>1002</ProductID><MX>nope</MX><MCC>655</MCC><MNC>01</MNC><EngagementTypeID>6</EngagementTypeID><Data/>${credentialsXml()}`);
      assert.deepEqual(badMx, bad('MX is not a valid MX or MSISDN with country code'));
      const badMcc = await soap('LogActivity', `<ProductID>1002</ProductID><MX>27825550001</MX><MCC>65</MCC><MNC>01</MNC><EngagementTypeID>6</EngagementTypeID><Data/>${credentialsXml()}`);
      assert.deepEqual(badMcc, bad('MCC and MNC must be the network codes'));
      // Refused by the request's form before the method reads it: still 39 with details, not MX's 00 or ProductID's 15.
      const longMx = await soap('LogActivity', `<ProductID>1002</ProductID><MX>${'2'.repeat(201)}</MX><MCC>655</MCC><MNC>01</MNC><EngagementTypeID>6</EngagementTypeID><Data/>${credentialsXml()}`);
      assert.deepEqual(longMx, bad('MX must not have more than 200 characters'));
      assert.deepEqual(await logActivity('1'.repeat(21), '6', []), bad('ProductID must not have more than 20 characters'));
      const many = Array.from({ length: 65 }, (_, i): [string, string] => ['BannerID', String(i)]);
      assert.deepEqual(await logActivity('1002', '6', many), bad('Data must not have more than 64 items'));
      assert.deepEqual(await logActivity('1002', '6', [['BannerID', '1'], ['k'.repeat(201), '1']]), bad('Data/1/Key must not have more than 200 characters'));
    });

    it('LogActivity is SOAP only: over GET, POST and JSON it is not a method (404)', async () => {
      for (const request of [
        { method: 'GET' as const, url: `${IM_BASE}/LogActivity?ProductID=1002&U=demo&P=demo-password` },
        { method: 'POST' as const, url: `${IM_BASE}/LogActivity`, headers: { 'content-type': 'application/json' }, payload: '{"ProductID":1002}' },
      ]) {
        assert.equal((await t.app.http.inject(request)).statusCode, 404, request.method);
      }
    });

    const tokenPairs: Pair[] = [
      ['mnc', '01'],
      ['mcc', '655'],
      ['pt', 'order-7'],
      ['chargeamount', '0.25'],
      ['itemdescription', 'Gems'],
      ['bpid', '1001'],
    ];
    const tokenAnswer = (binding: 'soap' | 'json', members: Record<string, unknown>) =>
      expected(binding, 'RequestToken', 'ResponseTokenForRequest', 'MobilePaymentsLibrary.ResponseTokenForRequest', members);
    const refusedToken = (binding: 'soap' | 'json', ErrorMessage: string) => tokenAnswer(binding, { Token: '', ExpiresUtc: '0001-01-01T00:00:00', ErrorMessage });
    const tokens = () => new TokenService(new SqlTokenRepository(t.app.db.kysely), t.clock);
    const tokenOf = (answer: Answer) => /<Token>([^<]*)<\/Token>|"Token":"([^"]*)"/.exec(answer.body)?.slice(1).find((v) => v !== undefined) ?? '';

    it('RequestToken over SOAP: a single-use token of type 1 expiring in 30 minutes, consumed once for its product', async () => {
      const answer = await soap('RequestToken', `${pairsXml('Parameters', tokenPairs)}<TokenTypeId>1</TokenTypeId>${credentialsXml()}`);
      const token = tokenOf(answer);
      assert.match(token, /^[A-Za-z0-9_-]{32}$/);
      const expires = /<ExpiresUtc>([^<]*)<\/ExpiresUtc>/.exec(answer.body)?.[1] ?? '';
      assert.match(expires, /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/);
      assert.deepEqual(answer, tokenAnswer('soap', { Token: token, ExpiresUtc: expires, ErrorMessage: '' }));
      const consumed = await tokens().consume(token, 1001);
      assert.ok(consumed.ok);
      assert.deepEqual(
        [consumed.value.purpose, consumed.value.amountMinor, consumed.value.currency, consumed.value.reference, consumed.value.description, consumed.value.operator, consumed.value.msisdn],
        ['checkout', 25n, 'ZAR', 'order-7', 'Gems', '655-01', null],
      );
      assert.equal(`${consumed.value.expiresAt.toISOString().slice(0, 19)}Z`, expires);
      assert.equal(consumed.value.expiresAt.getTime() - consumed.value.issuedAt.getTime(), 30 * 60_000);
      assert.deepEqual(await tokens().consume(token, 1001), { ok: false, error: { kind: 'token-used', consumedAt: consumed.value.consumedAt } });
    });

    it('RequestToken over JSON: type 2 binds the subscriber; numbers may be unquoted, as the sample sends them', async () => {
      const mx = TEST_SEALER.seal(partnerEndpointId, '+27825550002' as Msisdn);
      const body = {
        Parameters: [
          { Key: 'mx', Value: mx },
          { Key: 'mnc', Value: 1 },
          { Key: 'mcc', Value: 655 },
          { Key: 'pt', Value: 'p' },
          { Key: 'chargeamount', Value: 1.5 },
          { Key: 'itemdescription', Value: 'Coins' },
          { Key: 'bpid', Value: 1001 },
        ],
        TokenTypeId: 2,
        ...PARTNER,
      };
      const answer = await json('RequestToken', body);
      const token = tokenOf(answer);
      const parsed = JSON.parse(answer.body) as { d: Record<string, unknown> };
      assert.deepEqual(Object.keys(parsed.d), ['__type', 'Token', 'ExpiresUtc', 'ErrorMessage']);
      assert.deepEqual(answer, tokenAnswer('json', { Token: token, ExpiresUtc: parsed.d.ExpiresUtc, ErrorMessage: '' }));
      const consumed = await tokens().consume(token, 1001);
      assert.ok(consumed.ok);
      assert.deepEqual([consumed.value.purpose, consumed.value.msisdn, consumed.value.amountMinor, consumed.value.operator], ['checkout-for-subscriber', '+27825550002', 150n, '655-01']);
    });

    it('RequestToken without a token: the reason in ErrorMessage, over SOAP and JSON, a wrong login too', async () => {
      const cases: [readonly Pair[], string, string][] = [
        [tokenPairs, '3', 'TokenTypeId must be 1 or 2'],
        [tokenPairs.slice(1), '1', 'Parameters must have mnc'],
        [[...tokenPairs, ['colour', 'red']], '1', 'Parameters must only have the keys mnc, mcc, pt, chargeamount, itemdescription, bpid'],
        [tokenPairs, '2', 'Parameters must have mx'],
        [[...tokenPairs.slice(0, 5), ['bpid', '9999']], '1', 'bpid is not a product of this account'],
        [[...tokenPairs.slice(0, 5), ['bpid', '2001']], '1', '02 - Unuathorised'],
        [[['mnc', '01'], ['mcc', '655'], ['pt', 'x'], ['chargeamount', '0.255'], ['itemdescription', 'Gems'], ['bpid', '1001']], '1', 'chargeamount must be a positive amount with at most 2 decimals'],
        [[['mnc', '01'], ['mcc', '65'], ['pt', 'x'], ['chargeamount', '1'], ['itemdescription', 'Gems'], ['bpid', '1001']], '1', 'mcc and mnc must be the network codes'],
        [[['mnc', '01'], ['mcc', '655'], ['pt', 'x'], ['chargeamount', '1'], ['itemdescription', ''], ['bpid', '1001']], '1', 'itemdescription must be 1-200 characters'],
      ];
      for (const [pairs, type, reason] of cases) {
        assert.deepEqual(await soap('RequestToken', `${pairsXml('Parameters', pairs)}<TokenTypeId>${type}</TokenTypeId>${credentialsXml()}`), refusedToken('soap', reason), reason);
        const body = { Parameters: pairs.map(([Key, Value]) => ({ Key, Value })), TokenTypeId: type, ...PARTNER };
        assert.deepEqual(await json('RequestToken', body), refusedToken('json', reason), reason);
      }
      const wrong = { U: 'demo', P: 'wrong' };
      assert.deepEqual(await soap('RequestToken', `${pairsXml('Parameters', tokenPairs)}<TokenTypeId>1</TokenTypeId>${credentialsXml(wrong)}`), refusedToken('soap', '01 - Invalid Login'));
      assert.deepEqual(await json('RequestToken', { Parameters: [], TokenTypeId: 1, ...wrong }), refusedToken('json', '01 - Invalid Login'));
      const count = await t.app.db.kysely.selectFrom('purchase_tokens').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 2, 'only the two tokens issued above');
    });

    it('a client generated from the served WSDL (npm soap) calls RequestToken, LogActivity and the subscription methods, arrays included', async () => {
      const baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
      // The client's methods are generated from the WSDL at run time: no static type to give it.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const client: any = await soapClient.createClientAsync(`${baseUrl}${IM_BASE}?wsdl`);
      const pairs = (list: readonly Pair[]) => ({ DataKeyValuePair: list.map(([Key, Value]) => ({ Key, Value })) });
      const [token] = await client.RequestTokenAsync({ Parameters: pairs(tokenPairs), TokenTypeId: 1, ...PARTNER });
      assert.match(token.RequestTokenResult.Token, /^[A-Za-z0-9_-]{32}$/);
      assert.equal(token.RequestTokenResult.ErrorMessage, '', 'an empty ErrorMessage');
      assert.ok((await tokens().consume(token.RequestTokenResult.Token, 1001)).ok);
      const [logged] = await client.LogActivityAsync({ ProductID: 1002, MX: '27825550001', MCC: 655, MNC: 1, EngagementTypeID: 8, Data: pairs([['VisitDuration', '30']]), ...PARTNER });
      assert.deepEqual(logged, { LogActivityResult: { Status: 'Success', Description: '00 - Everything was OK', EngagementID: logged.LogActivityResult.EngagementID } });
      assert.match(String(logged.LogActivityResult.EngagementID), /^[0-9]+$/);
      const [pinned] = await client.PINGenerateWithNetworkAsync({ MX: '27825550009', MCC: '655', MNC: '01', SID: 1002, ...PARTNER });
      const [joined] = await client.SubscriptionJoinWithParamsAsync({ SID: 1002, MX: '27825550009', MCC: '655', MNC: '01', Params: pairs([['PIN', pinned.PINGenerateWithNetworkResult.PINID]]), ...PARTNER });
      assert.deepEqual(joined.SubscriptionJoinWithParamsResult.User, { Subscribed: 'true', Suspended: 'false' });
      const [checked] = await client.SubscriptionCheckAsync({ SID: 1002, MX: '27825550009', MNC: 1, MCC: 655, ...PARTNER });
      assert.equal(checked.SubscriptionCheckResult.Description, '00 - User is subscribed');
      const [unsubscribed] = await client.SubscriptionUnsubscribeAsync({ SID: 1002, MX: '27825550009', MNC: 1, MCC: 655, ...PARTNER });
      assert.equal(unsubscribed.SubscriptionUnsubscribeResult.Description, '00 - User has been unsubscribed');
    });

    it('RequestToken is not served over GET or POST form (404)', async () => {
      assert.equal((await t.app.http.inject({ method: 'GET', url: `${IM_BASE}/RequestToken?TokenTypeId=1&U=demo&P=demo-password` })).statusCode, 404);
      const form = await t.app.http.inject({ method: 'POST', url: `${IM_BASE}/RequestToken`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'TokenTypeId=1' });
      assert.equal(form.statusCode, 404);
    });
  });
}
