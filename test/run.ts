// Test entry point: starts a throwaway PostgreSQL, runs all compiled tests, stops PostgreSQL.
// Usage: node dist/test/run.js [filter ...]   (filters are substring matches on test file paths)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './support/postgres.js';

const testDir = fileURLToPath(new URL('./', import.meta.url));

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const filters = process.argv.slice(2);
const files = findTests(testDir).filter(
  (f) => filters.length === 0 || filters.some((flt) => relative(testDir, f).includes(flt) || f.includes(flt)),
);
if (files.length === 0) {
  console.error(`no test files matched${filters.length ? ` filters: ${filters.join(' ')}` : ''}`);
  process.exit(1);
}

// The unit tier needs no database: a run of unit tests only starts none.
const unitOnly = files.every((f) => relative(testDir, f).startsWith(`unit${sep}`));
const pgServer = unitOnly ? null : await startPostgres();
if (pgServer) {
  console.log(`[test] PostgreSQL started at ${pgServer.url}`);
  process.env.TEST_POSTGRES_URL = pgServer.url;
}

let stopping: Promise<void> | null = null;
const stopPg = (): Promise<void> => {
  stopping ??= (pgServer ? pgServer.stop() : Promise.resolve()).then(
    () => {
      if (pgServer) console.log('[test] PostgreSQL stopped');
    },
    (err: unknown) => console.error('[test] failed to stop PostgreSQL:', err),
  );
  return stopping;
};

const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: process.env,
});

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    child.kill(sig);
    void stopPg().then(() => process.exit(130));
  });
}

const code = await new Promise<number>((resolve) => {
  child.on('error', (err) => {
    console.error('[test] failed to spawn node --test:', err);
    resolve(1);
  });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});
await stopPg();
process.exit(code);
