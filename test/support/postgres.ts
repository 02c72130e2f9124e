import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresHandle {
  url: string;
  stop(): Promise<void>;
}

function findPgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  const newest = versions[0];
  if (!newest) {
    throw new Error(`PostgreSQL server binaries not found under ${base}/*/bin (need initdb and pg_ctl); install package "postgresql"`);
  }
  return join(base, newest, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PostgresHandle> {
  const bin = findPgBin();
  const dir = mkdtempSync(join(tmpdir(), 'opendcb-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]): void => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const res = spawnSync(file, argv as string[], { encoding: 'utf8' });
    if (res.status !== 0) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'log'), 'utf8');
      } catch {
        /* no log */
      }
      throw new Error(
        `${cmd} ${args.join(' ')} failed (status ${res.status}, ${res.error?.message ?? ''})\n${res.stdout}\n${res.stderr}\n${log}`,
      );
    }
  };

  try {
    run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const dataDir = join(dir, 'data');
  const pgCtl = join(bin, 'pg_ctl');
  let port = 0;
  let started = false;
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freePort();
    try {
      run(pgCtl, [
        '-D',
        dataDir,
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on`,
        '-w',
        '-l',
        join(dir, 'log'),
        'start',
      ]);
      started = true;
    } catch (err) {
      lastErr = err;
    }
  }
  if (!started) {
    rmSync(dir, { recursive: true, force: true });
    throw lastErr;
  }

  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

let dbCounter = 0;

/** Creates a fresh, empty database on the server at adminUrl and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const safe = `${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${++dbCounter}_${Date.now().toString(36)}`.slice(0, 63);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${safe}"`);
    await client.query(`CREATE DATABASE "${safe}" TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${safe}`;
  return url.toString();
}
