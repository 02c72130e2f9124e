import { assert } from './assert.js';

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. take()
 * answers at once whether a token was there; nothing waits. The time source is
 * monotonic by default (a wall clock moved back would refill nothing, forward would
 * refill at most the burst).
 */
export class TokenBucket {
  #tokens: number;
  #refilledAtMs: number;

  constructor(
    private readonly limits: { ratePerSecond: number; burst: number },
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    assert(limits.ratePerSecond > 0 && limits.burst >= 1, 'a token bucket needs a positive rate and room for a token');
    this.#tokens = limits.burst;
    this.#refilledAtMs = nowMs();
  }

  take(): boolean {
    const nowMs = this.nowMs();
    const elapsedMs = Math.max(0, nowMs - this.#refilledAtMs);
    this.#tokens = Math.min(this.limits.burst, this.#tokens + (elapsedMs * this.limits.ratePerSecond) / 1000);
    this.#refilledAtMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Returns a token taken for work that turned out not to need it. */
  giveBack(): void {
    this.#tokens = Math.min(this.limits.burst, this.#tokens + 1);
  }
}
