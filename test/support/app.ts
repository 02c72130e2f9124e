import { buildApp, type OpenDcb } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/kernel/clock.js';
import { createDatabase } from './postgres.js';

export type Engine = 'pglite' | 'postgres';

/** Every engine the tests run on: embedded PGlite always, PostgreSQL when test/run.ts started one. */
export function engines(): Engine[] {
  return process.env.TEST_POSTGRES_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** Real time plus an offset the test moves forward by hand. */
export class TestClock implements Clock {
  #offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

export interface TestApp {
  app: OpenDcb;
  clock: TestClock;
  close(): Promise<void>;
}

export async function databaseUrlFor(engine: Engine, name: string): Promise<string | undefined> {
  if (engine === 'pglite') return undefined;
  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error('TEST_POSTGRES_URL is not set: run the tests through test/run.ts');
  return createDatabase(adminUrl, name);
}

/** A fresh app with its own empty, migrated and seeded database; no listener, no worker. */
export async function startTestApp(engine: Engine, name: string, overrides: Partial<Config> = {}): Promise<TestApp> {
  const clock = new TestClock();
  const config: Config = {
    ...loadConfig({}),
    dataDir: 'memory://',
    databaseUrl: await databaseUrlFor(engine, name),
    workers: false,
    ...overrides,
  };
  const app = await buildApp(config, { clock, logger: false });
  // A served app is kept alive by its listening socket. These apps answer through inject()
  // and, on PGlite, hold no socket either, while the waits for a subscriber's answer are
  // unref'd timers: without this handle the test process can run out of work in the middle
  // of a wait. It did, under load: the only other handle was a timer internal to PGlite.
  const keepAlive = setInterval(() => {}, 60_000);
  return {
    app,
    clock,
    close: async () => {
      clearInterval(keepAlive);
      await app.close();
    },
  };
}

export const DEMO_AUTH = basicAuth('demo', 'demo-password');

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

let referenceCounter = 0;
/** A ClientReference no other test uses. */
export function uniqueReference(prefix = 'ref'): string {
  referenceCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${referenceCounter}`;
}
