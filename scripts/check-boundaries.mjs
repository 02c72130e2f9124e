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
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
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

const SPEC_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\1/g;

function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const SUBFOLDER_LAYERS = new Set(['facades', 'web', 'jobs']);

function allowed(from, to) {
  if (from.layer === 'root') return true;
  if (to.isRootFile || to.layer === 'root') return false;
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
  const text = stripComments(readFileSync(file, 'utf8'));
  for (const m of text.matchAll(SPEC_RE)) {
    const spec = m[2];
    const target = resolve(dirname(file), spec);
    const to = classify(target);
    const relFile = relative(process.cwd(), file);
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
