#!/usr/bin/env node
import { composeAccounts } from './composition/accounts.js';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { systemClock } from './kernel/clock.js';
import { serializeError } from './logging.js';
import { isOperatorGroup, OPERATOR_GROUPS, operatorCommand, RefusedError, UsageError } from './operator-cli.js';
import { oneLine } from './operator-output.js';
import { seedDemoData } from './seed.js';
import { openDatabase } from './storage/db.js';
import { migrate } from './storage/migrate.js';
import { SqlPlatformRepository } from './storage/repositories/platform.js';

const USAGE = `usage: opendcb serve|worker|migrate|seed|${OPERATOR_GROUPS.join('|')}`;
/** Secrets given on stdin (--secret-stdin): at most this much is read. */
const MAX_STDIN_BYTES = 4096;
const SHUTDOWN_DEADLINE_MS = 30_000;

async function main(command: string | undefined, args: readonly string[]): Promise<number> {
  // A command line that is not one is refused before the configuration or the database is read.
  const operator = isOperatorGroup(command) ? operatorCommand(command as string, args) : null;
  const config = loadConfig();
  if (operator) return runOperator(config, operator);
  switch (command) {
    case 'serve':
      return serve(config);
    case 'worker':
      return work(config);
    case 'migrate':
    case 'seed': {
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
      try {
        const { applied } = await migrate(db);
        console.log(applied.length ? `applied ${applied.join(', ')}` : 'schema up to date');
        if (command === 'seed') {
          if (config.production) throw new Error('Demo data is never seeded in production (NODE_ENV=production)');
          const accounts = composeAccounts(db.kysely, systemClock);
          const seeded = await db.exclusively(() => seedDemoData(accounts, new SqlPlatformRepository(db.kysely)));
          console.log(seeded ? 'demo data seeded' : 'demo data already present');
        }
      } finally {
        await db.close();
      }
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

/**
 * An operator command on the configured database. On the embedded one it takes the data
 * directory's lock like serve does, so it is refused while a server has it open (PGlite is
 * one process's); on PostgreSQL it runs beside the servers.
 */
async function runOperator(config: ReturnType<typeof loadConfig>, run: ReturnType<typeof operatorCommand>): Promise<number> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrate(db);
    await run(composeAccounts(db.kysely, systemClock), { print: (line) => console.log(line), readSecrets });
  } finally {
    await db.close();
  }
  return 0;
}

/** Up to two lines of stdin: the password (or client secret), then a shared secret. */
async function readSecrets(): Promise<string[]> {
  let input = '';
  for await (const chunk of process.stdin) {
    input += String(chunk);
    if (input.length > MAX_STDIN_BYTES) throw new UsageError(`--secret-stdin reads at most ${MAX_STDIN_BYTES} bytes`);
  }
  const lines = input.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines.length === 0 || lines.length > 2) throw new UsageError('--secret-stdin needs one line (the secret) or two (password, then shared secret) on stdin');
  return lines;
}

async function serve(config: ReturnType<typeof loadConfig>): Promise<number> {
  const app = await buildApp(config);
  const address = await app.listen().catch(async (error: unknown) => {
    // The database (and its data-directory lock) must not outlive a server that never listened.
    await app.close();
    throw error;
  });
  app.http.log.info({ address, database: app.db.kind, sandbox: config.sandbox }, 'OpenDCB listening');
  await untilSignalled(app.http.log);
  await stop(app);
  return 0;
}

/** Closes the app and says what the shutdown abandoned. */
async function stop(app: Awaited<ReturnType<typeof buildApp>>): Promise<void> {
  const { abandonedConfirmations } = await app.close();
  const detail =
    abandonedConfirmations === 0
      ? 'nothing abandoned'
      : `${abandonedConfirmations} waits for a subscriber's answer abandoned: each got its in-progress fault; their payments settle once the subscriber answers or the prompt expires`;
  app.http.log.info({ abandonedConfirmations }, `OpenDCB stopped: ${detail}`);
}

/** Background work only (outbox delivery, settlement), for running it beside the servers. */
async function work(config: ReturnType<typeof loadConfig>): Promise<number> {
  if (config.databaseUrl === undefined) {
    throw new Error(
      'opendcb worker needs PostgreSQL (DATABASE_URL): the embedded database belongs to one process. ' +
        'Run the background work inside opendcb serve (WORKERS=true) instead.',
    );
  }
  const app = await buildApp(config);
  app.startWorker();
  app.http.log.info({ database: app.db.kind }, 'OpenDCB worker running');
  await untilSignalled(app.http.log);
  await stop(app);
  return 0;
}

function untilSignalled(log: { info(object: object, message: string): void }): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      // A hung connection must not keep the process alive forever.
      setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

// process.exit, never process.exitCode: PGlite's Emscripten runtime sets process.exitCode to 0
// whenever one of its instances exits, also the helper instance that a failed start closes
// after the error has reached us, so a start that failed ended with 0.
main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(oneLine(error.message));
      process.exit(2);
    }
    if (error instanceof RefusedError) {
      console.error(oneLine(error.message));
      process.exit(1);
    }
    // The message only, by the log's rules: a failed statement's values stay out of it too.
    const { message, type } = serializeError(error);
    console.error(oneLine(String(message || type)));
    process.exit(1);
  },
);
