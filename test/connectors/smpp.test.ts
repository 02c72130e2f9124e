import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SmppConnector, type SmppSettings, SmppUnavailable } from '../../src/connectors/smpp/connector.js';
import type { MobileOriginated } from '../../src/core/messaging/ports.js';
import { MessagingService } from '../../src/core/messaging/service.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { FakeClock } from '../support/fakes/clock.js';
import { FakeMessageStore } from '../support/fakes/messages.js';
import { type SmscBehaviour, TestSmsc } from '../support/smsc.js';

const settings = (port: number, overrides: Partial<SmppSettings> = {}): SmppSettings => ({
  host: '127.0.0.1',
  port,
  systemId: 'test',
  password: 'secret',
  systemType: '',
  sourceAddr: undefined,
  window: 10,
  tps: 0,
  longMessages: 'udh',
  reconnectMinMs: 20,
  reconnectMaxMs: 200,
  bindWaitMs: 5_000,
  ...overrides,
});

async function world(behaviour: SmscBehaviour, overrides: Partial<SmppSettings> = {}) {
  const smsc = new TestSmsc(behaviour);
  const port = await smsc.listen();
  const store = new FakeMessageStore();
  const clock = new FakeClock('2026-12-04T12:00:00Z');
  const connector = new SmppConnector(settings(port, overrides), clock);
  const messaging = new MessagingService({ store, connector, clock, perMerchantPerSecond: 10_000 });
  await messaging.start();
  const stop = async () => {
    await messaging.stop();
    await smsc.close();
  };
  return { smsc, store, clock, messaging, stop };
}

/** Dispatches until every message is final (each round a few seconds later on the service's clock). */
async function dispatchUntilFinal(w: Awaited<ReturnType<typeof world>>, rounds = 200): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    await w.messaging.dispatchDue().catch(() => undefined);
    if (w.store.rows.every((r) => r.state !== 'queued' && r.state !== 'submitted')) return;
    w.clock.advance(5_000);
    await sleep(25);
  }
  assert.fail(`not final: ${JSON.stringify(w.store.rows.filter((r) => r.state === 'queued' || r.state === 'submitted').map((r) => [r.id, r.state]))}`);
}

const recipient = (i: number) => `+47900${String(10_000 + i).padStart(5, '0')}` as Msisdn;

describe('SMPP 3.4 connector against a test SMSC', () => {
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  it('throttled once and dropped mid-run: every message submitted exactly once, every receipt correlated and answered', async () => {
    const w = await world({ receipts: true, throttle: [5], dropAfter: [12, 31] });
    stops.push(w.stop);
    for (let i = 0; i < 60; i += 1) {
      const queued = await w.messaging.queue({ merchantId: 1, submissionKey: `k${i}`, recipients: [recipient(i)], from: 'OpenDCB', text: `message ${i}` });
      assert.ok(queued.ok);
    }
    await dispatchUntilFinal(w);
    const texts = w.smsc.accepted.map((s) => s.text).sort();
    assert.deepEqual(texts, Array.from({ length: 60 }, (_, i) => `message ${i}`).sort(), 'each message once, none twice');
    assert.deepEqual(new Set(w.store.rows.map((r) => r.state)), new Set(['delivered']));
    const byText = new Map(w.smsc.accepted.map((s) => [s.text, s.messageId]));
    for (const row of w.store.rows) assert.equal(row.connectorMessageId, byText.get(row.text ?? ''), 'correlated by the SMSC id');
    assert.equal(w.smsc.binds, 3, 'bound at start and again after each drop');
    // The last answers follow the stores that made the messages final.
    for (let i = 0; i < 200 && w.smsc.deliverResponses.length < 60; i += 1) await sleep(10);
    assert.ok(w.smsc.deliverResponses.length >= 60, 'every receipt answered (some twice: resent after a drop)');
    assert.deepEqual(new Set(w.smsc.deliverResponses), new Set([0]));
    assert.equal(w.store.receipts.size, 60);
  });

  it('a receipt the store cannot take is answered with a temporary error; the SMSC sends it again and it is stored', async () => {
    const w = await world({ receipts: true });
    stops.push(w.stop);
    w.store.failRecordReceipts = 1;
    await w.messaging.queue({ merchantId: 1, submissionKey: 'r', recipients: [recipient(1)], from: 'OpenDCB', text: 'hello' });
    await w.messaging.dispatchDue();
    for (let i = 0; i < 100 && w.smsc.deliverResponses.length < 1; i += 1) await sleep(10);
    assert.deepEqual(w.smsc.deliverResponses, [0x64]);
    assert.deepEqual(w.store.rows.map((r) => r.state), ['submitted']);
    w.smsc.resendUnanswered();
    for (let i = 0; i < 100 && w.smsc.deliverResponses.length < 2; i += 1) await sleep(10);
    assert.deepEqual(w.smsc.deliverResponses, [0x64, 0]);
    assert.deepEqual(w.store.rows.map((r) => r.state), ['delivered']);
  });

  it('binds at start, so MO arrives without a send; each MO is answered once handled', async () => {
    const w = await world({});
    stops.push(w.stop);
    const received: MobileOriginated[] = [];
    w.messaging.onMobileOriginated(async (message) => {
      received.push(message);
    });
    w.smsc.sendMo('4790000100', '31000', 'STOP DEMO');
    for (let i = 0; i < 100 && w.smsc.deliverResponses.length === 0; i += 1) await sleep(10);
    assert.deepEqual(
      received.map((m) => [m.from, m.to, m.text]),
      [['+4790000100', '31000', 'STOP DEMO']],
    );
    assert.deepEqual(w.smsc.deliverResponses, [0]);
  });

  it('GSM-7 (with extension characters) as data_coding 0, UCS-2 as 8, long messages as UDH parts with one receipt asked', async () => {
    const w = await world({ receipts: true });
    stops.push(w.stop);
    const gsm = 'Hei Åse! {10€} [ok] ~ ^_^ |Æøå|';
    const long = `${'a'.repeat(152)}€${'b'.repeat(20)}`;
    await w.messaging.queue({ merchantId: 1, submissionKey: 'g', recipients: [recipient(1)], from: '31000', text: gsm });
    await w.messaging.queue({ merchantId: 1, submissionKey: 'u', recipients: [recipient(2)], from: '31000', text: 'Привет 😀' });
    await w.messaging.queue({ merchantId: 1, submissionKey: 'l', recipients: [recipient(3)], from: '31000', text: long });
    await dispatchUntilFinal(w);
    const [g, u, l1, l2] = w.smsc.accepted;
    assert.deepEqual([g?.text, g?.dataCoding, g?.esmClass, g?.destination, g?.source], [gsm, 0, 0, '4790010001', '31000']);
    assert.deepEqual([u?.text, u?.dataCoding], ['Привет 😀', 8]);
    assert.deepEqual([l1?.text, l2?.text], ['a'.repeat(152), `€${'b'.repeat(20)}`]);
    assert.deepEqual([l1?.udh.toString('hex'), l2?.udh.toString('hex')], ['0003030201', '0003030202']);
    assert.deepEqual([l1?.esmClass, l1?.registeredDelivery, l2?.esmClass, l2?.registeredDelivery], [0x40, 0, 0x40, 1]);
    assert.deepEqual(w.store.rows.map((r) => [r.state, r.connectorMessageId]), [
      ['delivered', 'smsc-1'],
      ['delivered', 'smsc-2'],
      ['delivered', 'smsc-4'],
    ]);
  });

  it('message_payload mode: a long message is one submit_sm; receipts read from the TLVs', async () => {
    const w = await world({ receipts: true, receiptTlvs: true }, { longMessages: 'payload' });
    stops.push(w.stop);
    const long = 'x'.repeat(400);
    await w.messaging.queue({ merchantId: 1, submissionKey: 'p', recipients: [recipient(1)], from: 'OpenDCB', text: long });
    await w.messaging.queue({ merchantId: 1, submissionKey: 's', recipients: [recipient(2)], from: 'OpenDCB', text: 'short' });
    await dispatchUntilFinal(w);
    assert.deepEqual(w.smsc.accepted.map((s) => [s.text, s.payload]), [
      [long, true],
      ['short', false],
    ]);
    assert.deepEqual(w.store.rows.map((r) => r.state), ['delivered', 'delivered']);
  });

  for (const [numericIds, receiptIds] of [['hex-answers', 'decimal'], ['decimal-answers', 'hex']] as const) {
    it(`an SMSC whose receipts write the answer's id in ${receiptIds} (SMPP_RECEIPT_IDS=${receiptIds}): each receipt finds its message`, async () => {
      const w = await world({ receipts: true, numericIds }, { receiptIds });
      stops.push(w.stop);
      for (let i = 1; i <= 3; i += 1) await w.messaging.queue({ merchantId: 1, submissionKey: `n${i}`, recipients: [recipient(i)], from: 'OpenDCB', text: `m${i}` });
      await dispatchUntilFinal(w);
      assert.deepEqual(w.store.rows.map((r) => r.state), ['delivered', 'delivered', 'delivered']);
      assert.equal(w.store.receipts.size, 3);
    });
  }

  it('without SMPP_RECEIPT_IDS, receipts that write the id in another form find no message (the SMPP 3.4 rule: the id as answered)', async () => {
    const w = await world({ receipts: true, numericIds: 'hex-answers' });
    stops.push(w.stop);
    await w.messaging.queue({ merchantId: 1, submissionKey: 'x', recipients: [recipient(1)], from: 'OpenDCB', text: 'x' });
    await w.messaging.dispatchDue();
    for (let waited = 0; w.store.receipts.size === 0 && waited < 200; waited += 1) await sleep(25);
    assert.deepEqual([...w.store.receipts.values()].map((r) => [r.connectorMessageId, r.applied]), [[String(0x7f00_0001), false]]);
    assert.deepEqual(w.store.rows.map((r) => [r.state, r.connectorMessageId]), [['submitted', '7F000001']]);
  });

  it('a refused bind leaves submissions failing as transient (the message stays queued); enquire_link keeps a bound link checked', async () => {
    const refused = await world({ password: 'other' }, { bindWaitMs: 100 });
    stops.push(refused.stop);
    await refused.messaging.queue({ merchantId: 1, submissionKey: 'x', recipients: [recipient(1)], from: 'OpenDCB', text: 'hi' });
    await refused.messaging.dispatchDue();
    assert.deepEqual(refused.store.rows.map((r) => [r.state, r.attempts]), [['queued', 1]]);
    const linked = await world({}, { enquireLinkMs: 20 });
    stops.push(linked.stop);
    for (let i = 0; i < 100 && linked.smsc.enquireLinks < 2; i += 1) await sleep(10);
    assert.ok(linked.smsc.enquireLinks >= 2);
    assert.ok(new SmppUnavailable('x') instanceof Error);
  });
});
