// The baseline of an A/B run (BENCH_BASELINE=<git revision>): that revision's tree exported with
// `git archive` into a temporary directory and built there, so the same run can measure the old
// server and the new one in alternation on the same machine and the same PostgreSQL cluster.
// The export shares this tree's node_modules when the lock files agree (no install, no download);
// otherwise it installs from the package cache only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './settings.js';

export interface Baseline {
  /** The revision as git abbreviates it (12 hex digits). */
  revision: string;
  /** The baseline's built command line, run as `node <cli> serve`. */
  cli: string;
}

const BUILD_TIMEOUT_MS = 10 * 60_000;

export function prepareBaseline(revisionName: string): Baseline {
  const revision = git(['rev-parse', '--verify', '--short=12', `${revisionName}^{commit}`]).trim();
  const dir = join(tmpdir(), `opendcb-baseline-${revision}`);
  const cli = join(dir, 'dist', 'src', 'cli.js');
  if (existsSync(cli)) return { revision, cli };
  // No built CLI means an earlier attempt failed part-way (its node_modules link would make the
  // next symlinkSync throw): start from an empty directory. rmSync removes a link, not its target.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', revision], { cwd: ROOT, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${revision} failed: ${archive.stderr.toString()}`);
  run('tar', ['-x', '-C', dir], archive.stdout);
  if (sameLockFile(dir)) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  else run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], undefined, dir);
  console.log(`baseline ${revision}: building in ${dir} …`);
  run('npm', ['run', 'build'], undefined, dir);
  if (!existsSync(cli)) throw new Error(`baseline ${revision}: no ${cli} after the build`);
  return { revision, cli };
}

function sameLockFile(dir: string): boolean {
  const read = (root: string) => readFileSync(join(root, 'package-lock.json'), 'utf8');
  return existsSync(join(dir, 'package-lock.json')) && read(dir) === read(ROOT);
}

function git(args: string[]): string {
  const result = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

function run(command: string, args: string[], input?: Buffer, cwd = ROOT): void {
  const result = spawnSync(command, args, { cwd, input, stdio: [input ? 'pipe' : 'ignore', 'inherit', 'inherit'], timeout: BUILD_TIMEOUT_MS });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} failed (${result.status ?? result.signal})`);
}
