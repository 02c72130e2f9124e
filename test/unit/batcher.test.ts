import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher } from '../../src/kernel/batcher.js';

/** A runner whose batches finish only when the test says so. */
function controlledRunner() {
  const batches: { items: number[]; finish: (fail?: Error) => void }[] = [];
  const run = (items: readonly number[]) =>
    new Promise<PromiseSettledResult<number>[]>((resolve, reject) => {
      batches.push({
        items: [...items],
        finish: (fail) =>
          fail
            ? reject(fail)
            : resolve(items.map((n) => (n < 0 ? { status: 'rejected', reason: new Error(`bad ${n}`) } : { status: 'fulfilled', value: n * 10 }))),
      });
    });
  return { run, batches };
}

/** Lets the batcher's end-of-turn start (and a finished batch's follow-up) happen. */
const settle = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

describe('Batcher', () => {
  it('starts at the end of the turn while a slot is free, and groups the items that wait for a slot', async () => {
    const { run, batches } = controlledRunner();
    const batcher = new Batcher(run, { maxBatchSize: 3, maxBatchesInFlight: 1, maxQueued: 10 });
    const first = batcher.submit(1);
    assert.equal(batches.length, 0, 'more items of this turn may still come');
    await settle();
    assert.deepEqual(batches.map((b) => b.items), [[1]]);
    const waiting = [2, 3, 4, 5].map((n) => batcher.submit(n));
    assert.equal(batches.length, 1, 'nothing starts while the only slot is busy');
    batches[0]?.finish();
    assert.equal(await first, 10);
    await settle();
    assert.deepEqual(batches.map((b) => b.items), [[1], [2, 3, 4]], 'the next batch takes at most maxBatchSize');
    batches[1]?.finish();
    await settle();
    assert.deepEqual(batches.map((b) => b.items), [[1], [2, 3, 4], [5]]);
    batches[2]?.finish();
    assert.deepEqual(await Promise.all(waiting), [20, 30, 40, 50]);
  });

  it('gives the slot back when the runner answers: the next batch starts before the items of this one are answered', async () => {
    const { run, batches } = controlledRunner();
    const batcher = new Batcher(run, { maxBatchSize: 4, maxBatchesInFlight: 1, maxQueued: 10 });
    const first = batcher.submit(1);
    await settle();
    const waiting = [2, 3].map((n) => batcher.submit(n));
    batches[0]?.finish();
    const startedBeforeAnswer = await first.then(() => batches.map((b) => b.items));
    assert.deepEqual(startedBeforeAnswer, [[1], [2, 3]], 'the waiting items were sent when the first batch answered');
    batches[1]?.finish();
    assert.deepEqual(await Promise.all(waiting), [20, 30]);
  });

  it('takes every item of one turn into one batch, and runs up to maxBatchesInFlight batches at once', async () => {
    const { run, batches } = controlledRunner();
    const batcher = new Batcher(run, { maxBatchSize: 2, maxBatchesInFlight: 2, maxQueued: 10 });
    for (const n of [1, 2, 3, 4, 5]) void batcher.submit(n);
    await settle();
    assert.deepEqual(batches.map((b) => b.items), [[1, 2], [3, 4]]);
  });

  it('rejects only the items the runner failed, and every item of a batch that threw', async () => {
    const { run, batches } = controlledRunner();
    const batcher = new Batcher(run, { maxBatchSize: 5, maxBatchesInFlight: 1, maxQueued: 10 });
    const blocker = batcher.submit(0);
    await settle();
    const mixed = [1, -2, 3].map((n) => batcher.submit(n));
    batches[0]?.finish();
    await blocker;
    await settle();
    const thrown = [7, 8].map((n) => batcher.submit(n));
    batches[1]?.finish();
    const results = await Promise.allSettled(mixed);
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)), [10, 'bad -2', 30]);
    await settle();
    batches[2]?.finish(new Error('connection lost'));
    for (const outcome of await Promise.allSettled(thrown)) {
      assert.equal(outcome.status, 'rejected');
      assert.equal((outcome.reason as Error).message, 'connection lost');
    }
  });

  it('refuses to queue beyond maxQueued', async () => {
    const { run } = controlledRunner();
    const batcher = new Batcher(run, { maxBatchSize: 1, maxBatchesInFlight: 1, maxQueued: 2 });
    void batcher.submit(1);
    await settle();
    void batcher.submit(2);
    void batcher.submit(3);
    await assert.rejects(batcher.submit(4), /more than 2 items waiting/);
  });
});
