import { assert } from '../../kernel/assert.js';
import { TokenBucket } from '../../kernel/token-bucket.js';

/** Merchants whose buckets are kept; the least recently sending one goes first beyond it. */
const MAX_TRACKED_MERCHANTS = 10_000;

/**
 * Each merchant's submissions a second, on the injected clock. Per process: N dispatching
 * processes let a merchant send N times the rate (decision 41).
 */
export class MerchantThroughput {
  readonly #buckets = new Map<number, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly nowMs: () => number,
  ) {
    assert(Number.isInteger(perSecond) && perSecond >= 1, 'a merchant may send at least one message a second');
  }

  take(merchantId: number): boolean {
    let bucket = this.#buckets.get(merchantId);
    if (bucket) {
      this.#buckets.delete(merchantId);
    } else {
      if (this.#buckets.size >= MAX_TRACKED_MERCHANTS) this.#buckets.delete(this.#buckets.keys().next().value as number);
      bucket = new TokenBucket({ ratePerSecond: this.perSecond, burst: this.perSecond }, this.nowMs);
    }
    this.#buckets.set(merchantId, bucket);
    return bucket.take();
  }
}
