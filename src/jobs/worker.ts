import { assert } from '../kernel/assert.js';
import { type Job, JOB_IDLE_MS } from './job.js';

export interface Worker {
  /** Stops scheduling and waits for the batches under way. */
  stop(): Promise<void>;
}

const MAX_JOBS = 32;

/**
 * Runs each registered job on its own schedule: a batch that found work is followed at
 * once by the next, an empty or failed one by the job's idle wait. Jobs fail apart: a
 * broken delivery does not stop settlement, nor the reverse, and a slow job does not
 * delay the others.
 */
export function startWorker(jobs: readonly Job[], onError: (error: unknown, job: string) => void): Worker {
  assert(jobs.length <= MAX_JOBS, 'a bounded number of jobs');
  assert(new Set(jobs.map((job) => job.name)).size === jobs.length, 'job names are unique');
  for (const job of jobs) assert(job.idleMs >= JOB_IDLE_MS.min && job.idleMs <= JOB_IDLE_MS.max, `${job.name}: idle wait out of bounds`);
  let stopped = false;
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();

  const schedule = (job: Job, delayMs: number) => {
    if (stopped) return;
    timers.set(job.name, setTimeout(() => running.set(job.name, runOnce(job)), delayMs));
  };
  const runOnce = async (job: Job) => {
    let handled = 0;
    try {
      handled = await job.run();
    } catch (error) {
      onError(error, job.name);
    }
    schedule(job, handled > 0 ? 0 : job.idleMs);
  };
  for (const job of jobs) schedule(job, job.idleMs);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await Promise.all(running.values());
    },
  };
}
