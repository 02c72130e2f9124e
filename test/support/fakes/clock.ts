import type { Clock } from '../../../src/kernel/clock.js';

/** A clock that stands still until a test moves it. */
export class FakeClock implements Clock {
  #nowMs: number;
  constructor(start = '2026-11-23T12:00:00Z') {
    this.#nowMs = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#nowMs);
  }
  advance(ms: number): void {
    this.#nowMs += ms;
  }
}
