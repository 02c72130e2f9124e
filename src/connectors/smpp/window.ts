import { assert } from '../../kernel/assert.js';

/** At most `size` holders at once; the others wait in arrival order. */
export class Window {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    assert(Number.isInteger(size) && size >= 1, 'a window holds at least one');
    this.#free = size;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}

/** Spaces starts `1000 / perSecond` ms apart (0: no pacing); a caller waits for its slot. */
export class Pacer {
  #nextMs = 0;

  constructor(private readonly perSecond: number) {
    assert(Number.isInteger(perSecond) && perSecond >= 0, 'a pace is a whole number a second, or 0 for none');
  }

  async wait(): Promise<void> {
    if (this.perSecond === 0) return;
    const nowMs = performance.now();
    const slotMs = Math.max(nowMs, this.#nextMs);
    this.#nextMs = slotMs + 1000 / this.perSecond;
    if (slotMs > nowMs) await new Promise((resolve) => setTimeout(resolve, slotMs - nowMs));
  }
}
