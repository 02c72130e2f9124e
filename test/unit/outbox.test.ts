import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeliveryOutcome, OutboxEvent, OutboxRepository } from '../../src/core/outbox/ports.js';
import { OutboxDispatcher } from '../../src/core/outbox/service.js';

/** A repository that hands out the given events once and records what became of them. */
function repositoryWith(events: OutboxEvent[]) {
  const completed: DeliveryOutcome[] = [];
  const leases: number[] = [];
  const repository: OutboxRepository = {
    async claimDue(limit, leaseMs) {
      leases.push(leaseMs);
      return events.splice(0, limit);
    },
    async complete(outcomes) {
      completed.push(...outcomes);
    },
    async deadLetters() {
      return [];
    },
    async resend() {
      return false;
    },
    async deadLetterCount() {
      return 0;
    },
  };
  return { repository, completed, leases };
}

const PAYLOADS: Record<string, Record<string, unknown>> = {
  'sms.send': { to: '+4790000000', from: 'OpenDCB', text: 'Your code is 123456' },
  'carrier.credit': { debitReference: '7.1', msisdn: '+4790000000', amountMinor: '2500', currency: 'NOK' },
  'payment.paid': { paymentId: 7, serviceId: 1, merchantId: 1, clientReference: 'r', msisdn: '+4790000000', amountMinor: '2500', currency: 'NOK' },
};
const event = (id: number, topic: string, attempts = 0, retryingSince = new Date()): OutboxEvent => ({ id, topic, payload: PAYLOADS[topic] ?? {}, attempts, retryingSince });
const clock = { now: () => new Date() };

describe('OutboxDispatcher', () => {
  it('delivers to the topic handler, marks unhandled topics delivered, and forgets secret payloads', async () => {
    const { repository, completed, leases } = repositoryWith([event(1, 'sms.send'), event(2, 'payment.paid'), event(3, 'carrier.credit')]);
    const dispatcher = new OutboxDispatcher(repository, clock);
    const seen: number[] = [];
    dispatcher.on('sms.send', async (_payload, e) => void seen.push(e.id), { forgetPayload: true });
    dispatcher.on('carrier.credit', async (_payload, e) => void seen.push(e.id));
    assert.equal(await dispatcher.deliverDue(), 3);
    assert.deepEqual(seen, [1, 3]);
    assert.deepEqual(completed, [
      { eventId: 1, result: 'delivered', forgetPayload: true },
      { eventId: 2, result: 'delivered', forgetPayload: false },
      { eventId: 3, result: 'delivered', forgetPayload: false },
    ]);
    assert.deepEqual(leases, [60_000]);
    assert.equal(await dispatcher.deliverDue(), 0);
  });

  it('a failing handler is retried with exponential backoff, capped at 15 minutes', async () => {
    const { repository, completed } = repositoryWith([event(1, 'carrier.credit', 0), event(2, 'carrier.credit', 3), event(3, 'carrier.credit', 40)]);
    const dispatcher = new OutboxDispatcher(repository, clock);
    dispatcher.on('carrier.credit', async () => {
      throw new Error('operator unreachable');
    });
    await dispatcher.deliverDue();
    assert.deepEqual(
      completed.map((c) => c.result),
      [
        { retryInMs: 1_000, error: 'operator unreachable' },
        { retryInMs: 8_000, error: 'operator unreachable' },
        { retryInMs: 900_000, error: 'operator unreachable' },
      ],
    );
  });

  it('a handler that hangs counts as failed after the timeout, and the next event is still delivered', async () => {
    const { repository, completed } = repositoryWith([event(1, 'carrier.credit'), event(2, 'carrier.credit')]);
    const dispatcher = new OutboxDispatcher(repository, clock, 50);
    dispatcher.on('carrier.credit', (_payload, e) => (e.id === 1 ? new Promise<void>(() => {}) : Promise.resolve()));
    assert.equal(await dispatcher.deliverDue(), 2);
    assert.deepEqual(
      completed.map((c) => c.result),
      [{ retryInMs: 1_000, error: 'the carrier.credit handler took longer than 50 ms' }, 'delivered'],
    );
  });

  it('a topic with a retry window gives up on a failure past it: a dead letter, not retried', async () => {
    const day = 24 * 3_600_000;
    const queued = (msAgo: number) => new Date(Date.now() - msAgo);
    const { repository, completed } = repositoryWith([event(1, 'carrier.credit', 90, queued(day - 60_000)), event(2, 'carrier.credit', 95, queued(day))]);
    const dispatcher = new OutboxDispatcher(repository, clock);
    dispatcher.on('carrier.credit', async () => {
      throw new Error('partner answered 503');
    }, { giveUpAfterMs: day });
    await dispatcher.deliverDue();
    assert.deepEqual(
      completed.map((c) => c.result),
      [{ retryInMs: 900_000, error: 'partner answered 503' }, { dead: true, error: 'partner answered 503' }],
    );
  });
});
