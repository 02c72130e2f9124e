import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MESSAGING_LIMITS, MessagingService, RECEIPT_WAIT_MS } from '../../../src/core/messaging/service.js';
import type { Msisdn } from '../../../src/kernel/msisdn.js';
import { FakeClock } from '../../support/fakes/clock.js';
import { FakeConnector, FakeMessageStore } from '../../support/fakes/messages.js';

const A = '+4790000100' as Msisdn;
const B = '+4790000200' as Msisdn;

async function world(perMerchantPerSecond = 1_000) {
  const store = new FakeMessageStore();
  const connector = new FakeConnector();
  const clock = new FakeClock('2026-12-04T12:00:00Z');
  const messaging = new MessagingService({ store, connector, clock, perMerchantPerSecond });
  await messaging.start();
  return { store, connector, clock, messaging };
}

const bulk = (overrides: Partial<Parameters<MessagingService['queue']>[0]> = {}) => ({
  merchantId: 1,
  submissionKey: 'k1',
  recipients: [A, B],
  from: '31000',
  text: 'Hello',
  ...overrides,
});

describe('messaging service (fakes)', () => {
  it('a bulk submission is stored queued, submitted by the dispatcher, and ended by receipts correlated by SMSC id', async () => {
    const { store, connector, clock, messaging } = await world();
    const queued = await messaging.queue(bulk({ campaign: 'c-7' }));
    assert.deepEqual(queued, { ok: true, value: { messageIds: [1, 2], segmentsEach: 1 } });
    assert.equal(await messaging.dispatchDue(), 2);
    assert.deepEqual(connector.submitted.map((s) => [s.messageId, s.to, s.encoding]), [
      [1, A, 'gsm7'],
      [2, B, 'gsm7'],
    ]);
    assert.deepEqual(store.rows.map((r) => [r.state, r.connectorMessageId, r.campaignId]), [
      ['submitted', 'c1', 1],
      ['submitted', 'c2', 1],
    ]);
    await connector.receipt('c2', 'failed', clock.now(), 'UNDELIV');
    await connector.receipt('c1', 'delivered', clock.now());
    await connector.receipt('c1', 'delivered', clock.now());
    assert.deepEqual(store.rows.map((r) => [r.state, r.failureReason]), [
      ['delivered', null],
      ['failed', 'UNDELIV'],
    ]);
    assert.equal(await messaging.dispatchDue(), 0, 'nothing is submitted twice');
    assert.equal(connector.submitted.length, 2);
  });

  it('a submission key used before stores nothing and sends nothing', async () => {
    const { connector, messaging } = await world();
    await messaging.queue(bulk());
    assert.deepEqual(await messaging.queue(bulk({ recipients: [A] })), { ok: false, error: { kind: 'duplicate_submission' } });
    assert.deepEqual((await messaging.queue(bulk({ merchantId: 2 }))).ok, true, 'keys are per merchant');
    await messaging.dispatchDue();
    assert.equal(connector.submitted.length, 4);
  });

  it('bounds: recipients 1-10,000, text 1-10 parts, sender, key, schedule', async () => {
    const { messaging } = await world();
    const refused = async (overrides: Partial<Parameters<MessagingService['queue']>[0]>) => {
      const result = await messaging.queue(bulk(overrides));
      assert.equal(result.ok, false);
      return result.ok ? undefined : result.error;
    };
    assert.deepEqual(await refused({ recipients: [] }), { kind: 'no_recipients' });
    assert.deepEqual(await refused({ recipients: Array.from({ length: 10_001 }, () => A) }), { kind: 'too_many_recipients', max: 10_000 });
    assert.deepEqual(await refused({ text: '' }), { kind: 'text_empty' });
    assert.deepEqual(await refused({ text: 'ş'.repeat(671) }), { kind: 'text_too_long', maxSegments: 10, maxChars: 1600 });
    assert.deepEqual(await refused({ text: 'a'.repeat(1601) }), { kind: 'text_too_long', maxSegments: 10, maxChars: 1600 });
    assert.deepEqual(await refused({ from: 'x'.repeat(17) }), { kind: 'sender_invalid', maxChars: 16 });
    assert.deepEqual(await refused({ submissionKey: '' }), { kind: 'submission_key_invalid', maxChars: 100 });
    assert.deepEqual(await refused({ sendAt: new Date('2028-01-01T00:00:00Z') }), { kind: 'schedule_too_far' });
    const longest = await messaging.queue(bulk({ text: 'a'.repeat(1530), submissionKey: 'long' }));
    assert.deepEqual(longest.ok && longest.value.segmentsEach, 10);
    assert.equal(MESSAGING_LIMITS.maxRecipients, 10_000);
  });

  it('a scheduled message waits for its time on the injected clock', async () => {
    const { connector, clock, messaging } = await world();
    await messaging.queue(bulk({ recipients: [A], sendAt: new Date('2026-12-04T13:00:00Z') }));
    assert.equal(await messaging.dispatchDue(), 0);
    clock.advance(60 * 60_000 - 1);
    assert.equal(await messaging.dispatchDue(), 0);
    clock.advance(1);
    assert.equal(await messaging.dispatchDue(), 1);
    assert.equal(connector.submitted.length, 1);
  });

  it('a merchant sends at most its rate a second; the rest waits its turn; platform messages are not held', async () => {
    const { store, connector, clock, messaging } = await world(2);
    await messaging.queue(bulk({ recipients: [A, A, A, A, A] }));
    await messaging.dispatchDue();
    assert.equal(connector.submitted.length, 2);
    await messaging.send({ to: B, from: 'OpenDCB', text: 'code 1', deliveryKey: 'p1' });
    assert.equal(connector.submitted.length, 3);
    await messaging.dispatchDue();
    assert.equal(connector.submitted.length, 3, 'the deferred ones wait for the next second');
    clock.advance(1_000);
    await messaging.dispatchDue();
    assert.equal(connector.submitted.length, 5);
    clock.advance(1_000);
    await messaging.dispatchDue();
    assert.equal(connector.submitted.length, 6);
    assert.equal(store.rows.filter((r) => r.state === 'submitted').length, 6);
  });

  it('the platform\'s own SMS is stored once per delivery key, sent at once, its secret text erased after', async () => {
    const { store, connector, messaging } = await world();
    const code = { to: A, from: 'OpenDCB', text: 'Your code is 123456', deliveryKey: 'outbox:9', secret: true };
    await messaging.send(code);
    await messaging.send(code);
    assert.equal(connector.submitted.length, 1);
    assert.deepEqual(store.rows.map((r) => [r.merchantId, r.state, r.text]), [[null, 'submitted', null]]);
  });

  it('a refused submission fails; a transient trouble leaves the message queued and retried with backoff', async () => {
    const { store, connector, clock, messaging } = await world();
    connector.answer = (s) => (s.to === A ? { kind: 'rejected', reason: 'invalid_destination' } : new Error('link down'));
    await messaging.queue(bulk());
    await messaging.dispatchDue();
    assert.deepEqual(store.rows.map((r) => [r.state, r.failureReason]), [
      ['failed', 'invalid_destination'],
      ['queued', null],
    ]);
    connector.answer = () => ({ kind: 'accepted', connectorMessageId: 'ok-1' });
    await messaging.dispatchDue();
    assert.equal(connector.submitted.length, 2, 'not before its backoff');
    clock.advance(2_000);
    await messaging.dispatchDue();
    assert.deepEqual(store.rows.map((r) => r.state), ['failed', 'submitted']);
    assert.equal(connector.submitted.length, 3);
  });

  it('an acknowledged submission whose record fails is recorded later, never submitted again', async () => {
    const { store, connector, clock, messaging } = await world();
    await messaging.queue(bulk({ recipients: [A] }));
    store.failMarkSubmitted = 2;
    await assert.rejects(messaging.dispatchDue(), /the store is down/);
    clock.advance(10 * 60_000);
    await assert.rejects(messaging.dispatchDue(), /the store is down/);
    await messaging.dispatchDue();
    assert.equal(connector.submitted.length, 1);
    assert.deepEqual(store.rows.map((r) => [r.state, r.connectorMessageId]), [['submitted', 'c1']]);
  });

  it('a receipt that overtakes the record of its submission is kept and applied after it', async () => {
    const { store, connector, clock, messaging } = await world();
    connector.answer = (s) => {
      void connector.receipt('early-1', 'delivered', clock.now());
      return { kind: 'accepted', connectorMessageId: `early-${s.messageId}` };
    };
    await messaging.queue(bulk({ recipients: [A] }));
    await messaging.dispatchDue();
    await new Promise((resolve) => setImmediate(resolve));
    await messaging.dispatchDue();
    assert.deepEqual(store.rows.map((r) => r.state), ['delivered']);
  });

  it('messages past their validity expire, queued or submitted', async () => {
    const { store, clock, messaging } = await world();
    await messaging.queue(bulk({ recipients: [A] }));
    await messaging.dispatchDue();
    await messaging.queue(bulk({ recipients: [B], submissionKey: 'later', sendAt: new Date('2026-12-04T12:00:01Z') }));
    clock.advance(MESSAGING_LIMITS.validityMs + 1_000);
    // The second was due too, but its validity ended with the first's.
    assert.equal(await messaging.dispatchDue(), 2);
    assert.deepEqual(store.rows.map((r) => r.state), ['expired', 'expired']);
  });

  it('a receipt that found no message in a week is pruned; a younger one waits on', async () => {
    const { store, clock, messaging } = await world();
    const receivedAt = clock.now();
    await store.recordReceipts('fake', [{ connectorMessageId: 'old', status: 'delivered', receivedAt }]);
    clock.advance(RECEIPT_WAIT_MS - 1_000);
    await store.recordReceipts('fake', [{ connectorMessageId: 'young', status: 'delivered', receivedAt: clock.now() }]);
    assert.equal(await messaging.pruneUnmatchedReceipts(), 0, 'not a week yet');
    clock.advance(2_000);
    assert.equal(await messaging.pruneUnmatchedReceipts(), 1);
    assert.deepEqual([...store.receipts.values()].map((r) => r.connectorMessageId), ['young']);
  });
});
