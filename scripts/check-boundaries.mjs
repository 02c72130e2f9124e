#!/usr/bin/env node
// Import-boundary lint for OpenDCB. Usage: node scripts/check-boundaries.mjs [srcDir]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, relative, dirname, sep } from 'node:path';

const srcDir = resolve(process.argv[2] ?? 'src');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...walk(p));
    else if ((name.endsWith('.ts') && !name.endsWith('.d.ts')) || name.endsWith('.sql')) out.push(p);
  }
  return out;
}

/** Returns { layer, sub, isRootFile } for an absolute path, or null if outside srcDir. */
function classify(absPath) {
  const rel = relative(srcDir, absPath);
  if (rel.startsWith('..') || rel === '') return null;
  const parts = rel.split(sep);
  if (parts.length === 1) return { layer: 'root', sub: null, isRootFile: true };
  // Sub-area for facades/web/jobs: second segment if it is a folder, else the layer itself.
  const sub = parts.length >= 3 ? parts[1] : null;
  return { layer: parts[0], sub, isRootFile: false };
}

const SPEC_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"]*)\1/g;

// The vendor-neutral layers: no vendor's vocabulary and no framework or database.
const NEUTRAL_LAYERS = new Set(['core', 'kernel']);
// Vendor names, and the vendors' own field and enum names (strex-reference.md §6, §10;
// vup-reference.md; telenor-reference.md), in any case and with or without underscores.
const VENDOR_WORDS = [
  'Strex', 'Infomedia', 'Hermes', 'VUP', 'Telenor',
  'ServiceCode', 'SecurityLevel', 'BusinessModel', 'UssdAuthorization', 'DirectPaymentFault', 'TeletorgSettings',
  'STREX-PAYMENT', 'MOBILECONTENTSERVICES', 'INFORMATIONSERVICES', 'AUTOMATICNUMBERDIRECTORYSERVICE', 'ALERTSERVICES',
  'BANK_TRANSFER', 'MOBILE_OPERATOR', 'RING_KONTANT',
];
const wordPattern = (word) => word.replace(/[-_]/g, '').split('').join('[-_]?');
const VENDOR_RE = new RegExp(VENDOR_WORDS.map(wordPattern).join('|'), 'gi');
// Packages the neutral layers must not import: the HTTP framework and the database drivers.
const INFRASTRUCTURE_PACKAGES = ['fastify', 'kysely', 'pg', '@electric-sql/pglite'];

function infrastructurePackage(spec) {
  return INFRASTRUCTURE_PACKAGES.find((name) => spec === name || spec.startsWith(`${name}/`) || spec.startsWith(`${name}-`));
}

function stripComments(src) {
  // A '//' after ':' or another '/' is a URL in a string (file:///…), not a comment.
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\/])\/\/.*$/gm, '$1');
}

// One clock (decisions §38): time comes from the injected Clock, in TypeScript and, as a
// parameter, in SQL, so that a test can move it. Only kernel/clock.ts reads the system clock.
const CLOCK_FILE = 'kernel/clock.ts';
const WALL_CLOCK_RE = /\bDate\s*\.\s*now\s*\(|\bnew\s+Date\b\s*(?:\(\s*\)|(?![\s(]))/g;
const SQL_CLOCK_RE =
  /(?<![\w.$])(?:now\s*\(\s*\)|(?:clock|statement|transaction)_timestamp\s*\(|timeofday\s*\(|current_(?:timestamp|date|time)\b|localtime(?:stamp)?\b)/gi;
// Migrations are history, applied once and never edited; those written before the rule keep
// their now() (column defaults, old function versions). Every later one passes the time in.
const LAST_MIGRATION_BEFORE_THE_CLOCK_RULE = 11;
// Files that still read the database's clock, and why. Platform time is the injected clock's
// everywhere; what is left is not platform time.
const DATABASE_CLOCK_ALLOWED = new Map([
  // When this server changed its schema.
  ['storage/migrate.ts', 'schema bookkeeping (applied_at)'],
]);

const STRING_LITERAL_RE = /(['"`])(?:\\[\s\S]|(?!\1)[\s\S])*\1/g;

function stripSqlComments(sql) {
  return sql.replace(/\/\*[\s\S]*?\*\//g, '').replace(/--.*$/gm, '');
}

function historicMigration(rel) {
  const m = /^storage\/migrations\/(\d{4})_/.exec(rel);
  return m !== null && Number(m[1]) <= LAST_MIGRATION_BEFORE_THE_CLOCK_RULE;
}

/** Where a file reads a clock other than the injected one. rel: the path under src, with '/'. */
function clockViolations(rel, source) {
  const found = [];
  const isSql = rel.endsWith('.sql');
  const code = isSql ? stripSqlComments(source) : stripComments(source);
  if (!isSql && rel !== CLOCK_FILE) {
    for (const m of code.matchAll(WALL_CLOCK_RE)) found.push(`'${m[0].replace(/\s+/g, '')}' (the system clock outside ${CLOCK_FILE}: use the injected Clock)`);
  }
  if (rel.startsWith('storage/') && !historicMigration(rel)) {
    // In TypeScript, SQL is in string literals; outside them now() is a method (clock.now()).
    const sql = isSql ? code : [...code.matchAll(STRING_LITERAL_RE)].map((m) => m[0]).join('\n');
    const reads = [...sql.matchAll(SQL_CLOCK_RE)].map((m) => m[0].replace(/\s+/g, ''));
    if (!DATABASE_CLOCK_ALLOWED.has(rel)) {
      for (const read of reads) found.push(`'${read}' (the database's clock: pass the injected clock's time as a parameter)`);
    } else if (reads.length === 0) {
      // The allow-list only shrinks: a file that stopped reading the database's clock leaves it.
      found.push(`no longer reads the database's clock: remove it from DATABASE_CLOCK_ALLOWED in scripts/check-boundaries.mjs`);
    }
  }
  return [...new Set(found)];
}

const SUBFOLDER_LAYERS = new Set(['facades', 'web', 'jobs']);

// The composition root: the files at the top of src/ and src/composition/ (one module per
// domain) wire concrete parts together; they may import anything, and nothing else imports them.
const WIRING_LAYERS = new Set(['root', 'composition']);

function allowed(from, to) {
  if (WIRING_LAYERS.has(from.layer)) return true;
  if (to.isRootFile || WIRING_LAYERS.has(to.layer)) return false;
  const A = from.layer, B = to.layer;
  switch (A) {
    case 'kernel':
      return B === 'kernel';
    case 'core':
      return B === 'kernel' || B === 'core';
    case 'storage':
    case 'connectors':
      return B === 'kernel' || B === 'core' || B === A;
    default:
      if (SUBFOLDER_LAYERS.has(A)) {
        if (B === 'kernel' || B === 'core') return true;
        if (B !== A) return false;
        // same layer: own subfolder, or the layer's shared folder (for facades also the facade kit,
        // which itself may use facades/shared but no facade)
        if (to.sub === 'shared' || (A === 'facades' && to.sub === 'kit' && from.sub !== 'shared')) return true;
        return from.sub === to.sub;
      }
      // unknown layer: only kernel/core/itself
      return B === 'kernel' || B === 'core' || B === A;
  }
}

function label(c) {
  if (c.layer === 'root') return 'root';
  return c.sub && SUBFOLDER_LAYERS.has(c.layer) ? `${c.layer}/${c.sub}` : c.layer;
}

const files = walk(srcDir);
const violations = [];
for (const file of files) {
  const from = classify(file);
  if (!from) continue;
  const source = readFileSync(file, 'utf8');
  const relFile = relative(process.cwd(), file);
  for (const v of clockViolations(relative(srcDir, file).split(sep).join('/'), source)) violations.push(`${relFile}: ${v}`);
  if (file.endsWith('.sql')) continue;
  const text = stripComments(source);
  if (NEUTRAL_LAYERS.has(from.layer)) {
    // Comments too: a comment that explains core by a vendor's rules is vendor vocabulary.
    const words = new Set([...source.matchAll(VENDOR_RE)].map((m) => m[0]));
    for (const word of words) violations.push(`${relFile}: vendor word '${word}' in ${from.layer}`);
  }
  for (const m of text.matchAll(SPEC_RE)) {
    const spec = m[2];
    if (spec.startsWith('/') || spec.startsWith('file:') || /^[A-Za-z]:[\\/]/.test(spec)) {
      violations.push(`${relFile}: imports '${spec}' (absolute path)`);
      continue;
    }
    if (!spec.startsWith('.')) {
      const pkg = NEUTRAL_LAYERS.has(from.layer) ? infrastructurePackage(spec) : undefined;
      if (pkg) violations.push(`${relFile}: imports '${spec}' (${from.layer} -> ${pkg})`);
      continue;
    }
    const target = resolve(dirname(file), spec);
    const to = classify(target);
    if (!to) {
      if (from.layer !== 'root') violations.push(`${relFile}: imports '${spec}' (${label(from)} -> outside src)`);
      continue;
    }
    if (!allowed(from, to)) violations.push(`${relFile}: imports '${spec}' (${label(from)} -> ${label(to)})`);
  }
}

if (violations.length) {
  for (const v of violations) console.error(v);
  console.error(`${violations.length} boundary violation(s) in ${files.length} files`);
  process.exit(1);
}
console.log(`boundaries ok (${files.length} files)`);
