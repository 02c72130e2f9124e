import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const scriptPath = join(repoRoot, 'scripts', 'check-boundaries.mjs');

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'opendcb-boundaries-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}

function run(dir: string): { code: number; output: string } {
  try {
    const out = execFileSync(process.execPath, [scriptPath, dir], { encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, output: out };
  } catch (err) {
    const e = err as { status?: number | null; stdout?: string; stderr?: string };
    return { code: e.status ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

test('core importing storage is a violation', () => {
  const dir = fixture({
    'core/x.ts': "import { y } from '../storage/y.js';\nexport const x = y;\n",
    'storage/y.ts': 'export const y = 1;\n',
  });
  try {
    const { code, output } = run(dir);
    assert.equal(code, 1);
    assert.match(output, /core[\\/]x\.ts: imports '\.\.\/storage\/y\.js' \(core -> storage\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cross-facade and facade->web imports are violations', () => {
  const dir = fixture({
    'facades/a/x.ts': "import { y } from '../b/y.js';\nimport { w } from '../../web/z/w.js';\nexport const x = [y, w];\n",
    'facades/b/y.ts': 'export const y = 1;\n',
    'web/z/w.ts': 'export const w = 1;\n',
  });
  try {
    const { code, output } = run(dir);
    assert.equal(code, 1);
    assert.match(output, /facades\/a -> facades\/b/);
    assert.match(output, /facades\/a -> web\/z/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a facade may use the facade kit; the kit may use facades/shared but no facade, and shared not the kit', () => {
  const dir = fixture({
    'facades/kit/op.ts': "import { sh } from '../shared/sh.js';\nimport { f } from '../strex/f.js';\nexport const op = [sh, f];\n",
    'facades/shared/sh.ts': "import { op } from '../kit/op.js';\nexport const sh = op;\n",
    'facades/strex/f.ts': "import { op } from '../kit/op.js';\nexport const f = op;\n",
  });
  try {
    const { code, output } = run(dir);
    assert.equal(code, 1);
    assert.match(output, /facades\/kit -> facades\/strex/);
    assert.match(output, /facades\/shared -> facades\/kit/);
    assert.doesNotMatch(output, /facades\/strex -> facades\/kit/);
    assert.doesNotMatch(output, /facades\/kit -> facades\/shared/);
    assert.match(output, /2 boundary violation/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('legal imports pass', () => {
  const dir = fixture({
    'kernel/k.ts': 'export const k = 1;\n',
    'core/c.ts': "import { k } from '../kernel/k.js';\nexport const c = k;\n",
    'storage/s.ts': "import { c } from '../core/c.js';\nexport { k } from '../kernel/k.js';\nexport const s = c;\n",
    'connectors/n.ts': "import { c } from '../core/c.js';\nexport const n = c;\n",
    'facades/shared/sh.ts': "export const sh = 1;\n",
    'facades/strex/f.ts': "import { sh } from '../shared/sh.js';\nimport { c } from '../../core/c.js';\nexport const f = [sh, c];\n",
    'web/x/w.ts': "const m = await import('../../kernel/k.js');\nexport const w = m;\n",
    'app.ts': "import { s } from './storage/s.js';\nimport { f } from './facades/strex/f.js';\nexport const app = [s, f];\n",
  });
  try {
    const { code, output } = run(dir);
    assert.equal(code, 0, output);
    assert.match(output, /boundaries ok \(8 files\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('composition modules wire anything and the root uses them; no other layer imports composition', () => {
  const dir = fixture({
    'config.ts': 'export const config = 1;\n',
    'storage/s.ts': 'export const s = 1;\n',
    'facades/strex/f.ts': "import { m } from '../../composition/m.js';\nexport const f = m;\n",
    'composition/m.ts': "import { s } from '../storage/s.js';\nimport { config } from '../config.js';\nexport const m = [s, config];\n",
    'app.ts': "import { m } from './composition/m.js';\nexport const app = m;\n",
  });
  try {
    const { code, output } = run(dir);
    assert.equal(code, 1);
    assert.match(output, /facades[\\/]strex[\\/]f\.ts: imports '\.\.\/\.\.\/composition\/m\.js' \(facades\/strex -> composition\)/);
    assert.match(output, /1 boundary violation/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real src tree respects boundaries', () => {
  const { code, output } = run(join(repoRoot, 'src'));
  assert.equal(code, 0, output);
  assert.match(output, /boundaries ok/);
});

/** Lints a throwaway tree of the given files and removes it. */
function lintFixture(files: Record<string, string>): { code: number; output: string } {
  const dir = fixture(files);
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('vendor words fail in core and kernel, in code and comments, in any case; facades may use them', () => {
  const { code, output } = lintFixture({
    'core/a.ts': "export const strexServiceCode = '01001';\n",
    'core/b.ts': '/** As Telenor bills it. */\nexport const b = { security_level: 2, businessModel: "MOBILECONTENTSERVICES" };\n',
    'kernel/c.ts': "export type Hermes = 'INFOMEDIA' | 'vup';\n",
    'facades/strex/f.ts': "export const ServiceCode = 'Strex';\n",
  });
  assert.equal(code, 1);
  assert.match(output, /core[\\/]a\.ts: vendor word 'strex' in core/);
  assert.match(output, /core[\\/]a\.ts: vendor word 'ServiceCode' in core/);
  assert.match(output, /core[\\/]b\.ts: vendor word 'Telenor' in core/);
  assert.match(output, /core[\\/]b\.ts: vendor word 'security_level' in core/);
  assert.match(output, /core[\\/]b\.ts: vendor word 'businessModel' in core/);
  assert.match(output, /core[\\/]b\.ts: vendor word 'MOBILECONTENTSERVICES' in core/);
  assert.match(output, /kernel[\\/]c\.ts: vendor word 'Hermes' in kernel/);
  assert.match(output, /kernel[\\/]c\.ts: vendor word 'INFOMEDIA' in kernel/);
  assert.match(output, /kernel[\\/]c\.ts: vendor word 'vup' in kernel/);
  assert.doesNotMatch(output, /facades/);
  assert.match(output, /9 boundary violation/);
});

test('core and kernel import no HTTP framework or database driver; storage and facades may', () => {
  const { code, output } = lintFixture({
    'core/a.ts': "import Fastify from 'fastify';\nimport { sql } from 'kysely';\nexport const a = [Fastify, sql];\n",
    'kernel/b.ts': "import pg from 'pg';\nimport { PGlite } from '@electric-sql/pglite';\nimport { vector } from '@electric-sql/pglite/vector';\nexport const b = [pg, PGlite, vector];\n",
    'core/c.ts': "const d = await import('kysely-pglite-dialect');\nimport { randomInt } from 'node:crypto';\nimport { Type } from 'typebox';\nexport const c = [d, randomInt, Type];\n",
    'storage/s.ts': "import { sql } from 'kysely';\nexport const s = sql;\n",
    'facades/strex/f.ts': "import Fastify from 'fastify';\nexport const f = Fastify;\n",
  });
  assert.equal(code, 1);
  assert.match(output, /core[\\/]a\.ts: imports 'fastify' \(core -> fastify\)/);
  assert.match(output, /core[\\/]a\.ts: imports 'kysely' \(core -> kysely\)/);
  assert.match(output, /kernel[\\/]b\.ts: imports 'pg' \(kernel -> pg\)/);
  assert.match(output, /kernel[\\/]b\.ts: imports '@electric-sql\/pglite' \(kernel -> @electric-sql\/pglite\)/);
  assert.match(output, /kernel[\\/]b\.ts: imports '@electric-sql\/pglite\/vector' \(kernel -> @electric-sql\/pglite\)/);
  assert.match(output, /core[\\/]c\.ts: imports 'kysely-pglite-dialect' \(core -> kysely\)/);
  assert.doesNotMatch(output, /storage|facades|node:crypto|typebox/);
  assert.match(output, /6 boundary violation/);
});

test('absolute-path imports fail in every layer', () => {
  const { code, output } = lintFixture({
    'core/a.ts': "import { k } from '/work/main/src/kernel/k.js';\nexport const a = k;\n",
    'facades/strex/f.ts': "export { k } from 'file:///work/main/src/kernel/k.js';\n",
    'app.ts': "const m = await import('/tmp/x.js');\nexport const app = m;\n",
  });
  assert.equal(code, 1);
  assert.match(output, /core[\\/]a\.ts: imports '\/work\/main\/src\/kernel\/k\.js' \(absolute path\)/);
  assert.match(output, /facades[\\/]strex[\\/]f\.ts: imports 'file:\/\/\/work\/main\/src\/kernel\/k\.js' \(absolute path\)/);
  assert.match(output, /app\.ts: imports '\/tmp\/x\.js' \(absolute path\)/);
  assert.match(output, /3 boundary violation/);
});

test('only kernel/clock.ts reads the system clock; SQL takes the time as a parameter, except history and the allow-list, which only shrinks', () => {
  const { code, output } = lintFixture({
    'kernel/clock.ts': 'export const systemClock = { now: () => new Date() };\n',
    'core/a.ts': 'export const a = () => Date.now();\n',
    'core/b.ts': '// new Date() in a comment is no clock\nexport const b = () => new Date();\nexport const c = (ms: number) => new Date(ms);\n',
    'storage/functions/f.sql': '-- now() in a comment is no clock\nSELECT now(), CURRENT_TIMESTAMP;\n',
    'storage/repositories/r.ts': 'export const q = `SELECT clock_timestamp()`;\nexport const at = (clock: { now(): Date }) => clock.now();\n',
    'storage/migrations/0009_old.sql': 'CREATE TABLE t (at TIMESTAMPTZ DEFAULT now());\n',
    'storage/migrations/0012_new.sql': 'CREATE TABLE u (at TIMESTAMPTZ DEFAULT now());\n',
    'storage/migrate.ts': "export const q = 'SELECT now()';\n",
  });
  assert.equal(code, 1);
  assert.match(output, /core[\\/]a\.ts: 'Date\.now\(' \(the system clock outside kernel\/clock\.ts/);
  assert.match(output, /core[\\/]b\.ts: 'newDate\(\)' \(the system clock/);
  assert.match(output, /storage[\\/]functions[\\/]f\.sql: 'now\(\)' \(the database's clock/);
  assert.match(output, /storage[\\/]functions[\\/]f\.sql: 'CURRENT_TIMESTAMP' \(the database's clock/);
  assert.match(output, /storage[\\/]repositories[\\/]r\.ts: 'clock_timestamp\(' \(the database's clock/);
  assert.match(output, /storage[\\/]migrations[\\/]0012_new\.sql: 'now\(\)'/);
  assert.doesNotMatch(output, /clock\.ts: '|0009_old|migrate\.ts/);
  assert.match(output, /6 boundary violation/);
  const stopped = lintFixture({ 'storage/migrate.ts': 'export const q = `SELECT $1::timestamptz`;\n' });
  assert.equal(stopped.code, 1);
  assert.match(stopped.output, /storage[\\/]migrate\.ts: no longer reads the database's clock: remove it from DATABASE_CLOCK_ALLOWED/);
});
