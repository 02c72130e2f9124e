import { assert } from './assert.js';

export interface BoundedWorkLimits {
  /** Most jobs running at once. */
  readonly concurrency: number;
  /** Most jobs waiting for a slot; beyond it a job is refused, not queued. */
  readonly maxQueued: number;
}

export type WorkPriority = 'high' | 'normal';

/** What run() answers when the queue is full: the job never ran. */
export const REFUSED = Symbol('refused');

interface Waiting {
  start: () => void;
}

/**
 * A fixed number of slots for expensive work (password hashing) with a bounded queue in
 * two priorities: work that is probably legitimate ('high') goes before the rest, so a
 * flood of 'normal' work can delay it by at most the jobs already running. Beyond
 * maxQueued, run() refuses at once instead of letting the backlog (and its memory) grow.
 */
export class BoundedWork {
  readonly #queues: Record<WorkPriority, Waiting[]> = { high: [], normal: [] };
  #running = 0;

  constructor(private readonly limits: BoundedWorkLimits) {
    assert(limits.concurrency >= 1 && limits.maxQueued >= 0, 'bounded work needs a slot and a non-negative queue');
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queues.high.length + this.#queues.normal.length;
  }

  async run<T>(work: () => Promise<T>, priority: WorkPriority = 'normal'): Promise<T | typeof REFUSED> {
    if (this.#running >= this.limits.concurrency) {
      if (this.queued >= this.limits.maxQueued) return REFUSED;
      await new Promise<void>((start) => this.#queues[priority].push({ start }));
    } else {
      this.#running += 1;
    }
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  /** Hands the slot to the next waiting job (high first), or frees it. */
  #release(): void {
    const next = this.#queues.high.shift() ?? this.#queues.normal.shift();
    if (next) next.start();
    else this.#running -= 1;
    assert(this.#running >= 0 && this.#running <= this.limits.concurrency, 'bounded work slot count out of range');
  }
}
