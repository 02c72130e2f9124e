import type { NewService, ServiceContext } from './types.js';

export interface StoredCredential {
  readonly credentialId: number;
  readonly service: ServiceContext;
  readonly passwordHash: string;
}

export interface MerchantRepository {
  /** The unrevoked credential of (service, username), or null. */
  findCredential(serviceId: number, username: string): Promise<StoredCredential | null>;
  createMerchant(name: string, isDemo: boolean): Promise<number>;
  createService(service: NewService): Promise<void>;
  addCredential(serviceId: number, username: string, passwordHash: string): Promise<void>;
  serviceExists(serviceId: number): Promise<boolean>;
}

/** One key's failed checks in its current window. */
export interface FailureWindow {
  readonly failures: number;
  readonly windowStartedAt: Date;
}

/** Counts of failed credential checks, and the sources each credential was verified from. */
export interface LoginThrottleStore {
  /**
   * Counts one more failure under each key, atomically (concurrent calls never lose a
   * count), in the window of windowMs that holds `at`; a key whose window has passed
   * starts a new one. Answers every key's failures so far, this one included.
   */
  take(keys: readonly string[], at: Date, windowMs: number): Promise<Map<string, FailureWindow>>;
  /** Takes back one failure counted by take() in the window that started then (the check succeeded, or never ran). */
  giveBack(windows: ReadonlyMap<string, FailureWindow>): Promise<void>;
  isKnownSource(credentialId: number, source: string): Promise<boolean>;
  rememberSource(credentialId: number, source: string, at: Date): Promise<void>;
  /** Drops windows that ended before `windowsBefore` and sources not seen since `sourcesBefore`. */
  prune(windowsBefore: Date, sourcesBefore: Date): Promise<number>;
}
