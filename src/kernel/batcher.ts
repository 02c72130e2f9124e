import { assert } from './assert.js';

export interface BatcherLimits {
  /** Most items one batch carries. */
  readonly maxBatchSize: number;
  /** Most batches running at once; further items wait and join the next batch. */
  readonly maxBatchesInFlight: number;
  /** Most items waiting; beyond it submit() refuses instead of queueing without bound. */
  readonly maxQueued: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/** Runs a batch; answers one settled result per item, in the items' order. */
export type BatchRunner<I, O> = (items: readonly I[]) => Promise<PromiseSettledResult<O>[]>;

/**
 * Groups work that arrives together, with no timer: a batch starts at the end of the
 * event-loop turn in which its first item arrived (setImmediate), taking every item that
 * arrived in that turn; items that arrive while every batch slot is busy wait and go
 * together in the next batch. Under load the per-batch cost (a round trip, a commit) is
 * shared; at rest an item waits for nothing but the end of its own turn. The turn
 * matters for an in-process database (PGlite), which blocks the loop while it works: no
 * item could join a batch that started at once.
 */
export class Batcher<I, O> {
  readonly #queue: Waiting<I, O>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly limits: BatcherLimits,
  ) {
    assert(limits.maxBatchSize >= 1 && limits.maxBatchesInFlight >= 1, 'batch limits must be positive');
    assert(limits.maxQueued >= limits.maxBatchSize, 'the queue must hold at least one batch');
  }

  submit(item: I): Promise<O> {
    if (this.#queue.length >= this.limits.maxQueued) {
      return Promise.reject(new Error(`batcher: more than ${this.limits.maxQueued} items waiting`));
    }
    const settled = new Promise<O>((resolve, reject) => this.#queue.push({ item, resolve, reject }));
    this.#scheduleBatches();
    return settled;
  }

  #scheduleBatches(): void {
    if (this.#scheduled || this.#inFlight >= this.limits.maxBatchesInFlight) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#startBatches();
    });
  }

  #startBatches(): void {
    while (this.#inFlight < this.limits.maxBatchesInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.limits.maxBatchSize);
      this.#inFlight += 1;
      void this.#runBatch(batch);
    }
  }

  /**
   * The slot is given back as soon as the runner answers, and the items that waited meanwhile
   * start at once, before this batch's items are resolved: their callers' work (answering
   * each request) then runs while the next batch is in the database, not before it is sent.
   */
  async #runBatch(batch: Waiting<I, O>[]): Promise<void> {
    let results: PromiseSettledResult<O>[] | undefined;
    let failure: unknown;
    try {
      results = await this.run(batch.map((entry) => entry.item));
    } catch (error) {
      failure = error;
    }
    this.#inFlight -= 1;
    assert(this.#inFlight >= 0, 'batches in flight never drop below zero');
    this.#startBatches();
    if (results === undefined) {
      for (const entry of batch) entry.reject(failure);
      return;
    }
    if (results.length !== batch.length) {
      const mismatch = new Error(`batch runner answered ${results.length} results for ${batch.length} items`);
      for (const entry of batch) entry.reject(mismatch);
      return;
    }
    batch.forEach((entry, index) => {
      const result = results[index] as PromiseSettledResult<O>;
      if (result.status === 'fulfilled') entry.resolve(result.value);
      else entry.reject(result.reason);
    });
  }
}
