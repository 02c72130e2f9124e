import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Job } from '../../src/jobs/job.js';
import { startWorker } from '../../src/jobs/worker.js';

/** A job whose batches answer the scripted counts (or throw), then 0. */
function scripted(name: string, answers: Array<number | Error>, idleMs = 20): Job & { runs: number } {
  const job = {
    name,
    idleMs,
    runs: 0,
    async run() {
      const answer = answers[job.runs++] ?? 0;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return job;
}

/** Waits until the condition holds (a loaded machine may be slow), failing after timeoutMs. */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('the background worker', () => {
  it('a batch that found work is followed at once; an empty one waits the idle interval', async () => {
    const busy = scripted('busy', [5, 5, 5], 2_000);
    const worker = startWorker([busy], () => assert.fail('no error expected'));
    // No wall-clock bound: timers run on the event loop's clock, which lags real time on a loaded
    // machine (a run 'came after 1655 ms' of performance.now()). A shorter wait started after the
    // worker's timer ends before it, however loaded the machine is.
    await sleep(1_000);
    assert.equal(busy.runs, 0, 'the first run waits the idle interval');
    await until(() => busy.runs >= 1, 'the first run');
    await sleep(1_000);
    // The three busy answers chained at once (no wait); the empty fourth waits the 2 s again.
    assert.equal(busy.runs, 4);
    await worker.stop();
    assert.equal(busy.runs, 4);
  });

  it('jobs fail apart: one that throws is reported with its name and retried, the others keep running', async () => {
    const errors: string[] = [];
    const broken = scripted('broken', [new Error('no database'), new Error('no database')]);
    const healthy = scripted('healthy', []);
    const worker = startWorker([broken, healthy], (error, job) => errors.push(`${job}: ${(error as Error).message}`));
    await until(() => broken.runs >= 3 && healthy.runs >= 3, 'both jobs to run three times');
    await worker.stop();
    assert.deepEqual(errors, ['broken: no database', 'broken: no database']);
  });

  it('a slow job does not hold the others back, and stop waits for the batch under way', async () => {
    let slowDone = false;
    let slowStarted = false;
    const slow: Job = { name: 'slow', idleMs: 10, run: async () => ((slowStarted = true), await sleep(1_500), (slowDone = true), 0) };
    const fast = scripted('fast', [], 10);
    const worker = startWorker([slow, fast], () => assert.fail('no error expected'));
    await until(() => slowStarted, 'the slow batch to start');
    const before = fast.runs;
    await until(() => fast.runs >= before + 4, 'the fast job to run beside the slow one');
    assert.equal(slowDone, false, 'the fast job ran while the slow batch was under way');
    await worker.stop();
    assert.equal(slowDone, true, 'stop returned only after the slow batch ended');
    const runs = fast.runs;
    await sleep(50);
    assert.equal(fast.runs, runs, 'nothing runs after stop');
  });

  it('refuses duplicate names and idle waits out of bounds', () => {
    assert.throws(() => startWorker([scripted('a', []), scripted('a', [])], () => {}), /unique/);
    assert.throws(() => startWorker([scripted('a', [], 0)], () => {}), /out of bounds/);
  });
});
