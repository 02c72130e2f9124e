/**
 * One kind of background work. run() does one bounded batch and answers how many items it
 * handled: a job that found work runs again at once, one that found none waits its idle
 * interval. Jobs coordinate through the database (SKIP LOCKED, conditional updates), so
 * any number of processes may run the same job side by side.
 */
export interface Job {
  /** Named in logs and metrics. */
  readonly name: string;
  /** How long to wait after a batch that found nothing (or failed). */
  readonly idleMs: number;
  run(): Promise<number>;
}

/** Bounds on the schedule: a job is never polled more often than this, nor less. */
export const JOB_IDLE_MS = { min: 10, max: 60 * 60_000 } as const;
