import type { FailureWindow, LoginThrottleStore } from '../../../src/core/merchants/ports.js';

/**
 * LoginThrottleStore in memory, with the SQL store's semantics: take() counts every key
 * at once, before it yields, as the one upsert does under its row locks.
 */
export class InMemoryLoginThrottle implements LoginThrottleStore {
  readonly windows = new Map<string, FailureWindow>();
  readonly sources = new Map<string, Date>();
  calls = { take: 0, giveBack: 0 };

  async take(keys: readonly string[], at: Date, windowMs: number): Promise<Map<string, FailureWindow>> {
    this.calls.take += 1;
    const taken = new Map<string, FailureWindow>();
    for (const key of keys) {
      const current = this.windows.get(key);
      const expired = !current || current.windowStartedAt.getTime() <= at.getTime() - windowMs;
      const next = expired ? { failures: 1, windowStartedAt: at } : { failures: current.failures + 1, windowStartedAt: current.windowStartedAt };
      this.windows.set(key, next);
      taken.set(key, next);
    }
    return taken;
  }

  async giveBack(windows: ReadonlyMap<string, FailureWindow>): Promise<void> {
    this.calls.giveBack += 1;
    for (const [key, window] of windows) {
      const current = this.windows.get(key);
      if (current && current.windowStartedAt.getTime() === window.windowStartedAt.getTime() && current.failures > 0) {
        this.windows.set(key, { ...current, failures: current.failures - 1 });
      }
    }
  }

  async isKnownSource(credentialId: number, source: string): Promise<boolean> {
    return this.sources.has(`${credentialId}|${source}`);
  }

  async rememberSource(credentialId: number, source: string, at: Date): Promise<void> {
    this.sources.set(`${credentialId}|${source}`, at);
  }

  async prune(windowsBefore: Date, sourcesBefore: Date): Promise<number> {
    let pruned = 0;
    for (const [key, window] of this.windows) {
      if (window.windowStartedAt < windowsBefore) pruned += Number(this.windows.delete(key));
    }
    for (const [key, at] of this.sources) {
      if (at < sourcesBefore) pruned += Number(this.sources.delete(key));
    }
    return pruned;
  }
}
