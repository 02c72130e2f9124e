import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** README and package.json promise Apache-2.0: the repository must carry its full text. */
test('LICENSE holds the full Apache License 2.0 text, with its appendix', () => {
  const path = join(repoRoot, 'LICENSE');
  assert.ok(existsSync(path), 'LICENSE is missing at the repository root');
  const text = readFileSync(path, 'utf8');
  assert.match(text.trimStart(), /^Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\/\s/);
  assert.ok(text.includes('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION'));
  const sections = ['Definitions', 'Grant of Copyright License', 'Grant of Patent License', 'Redistribution', 'Submission of Contributions', 'Trademarks', 'Disclaimer of Warranty', 'Limitation of Liability', 'Accepting Warranty or Additional Liability'];
  sections.forEach((title, i) => assert.ok(text.includes(`${i + 1}. ${title}.`), `section ${i + 1}. ${title}`));
  assert.ok(text.includes('END OF TERMS AND CONDITIONS'));
  assert.ok(text.includes('APPENDIX: How to apply the Apache License to your work.'));
  assert.ok(text.includes('http://www.apache.org/licenses/LICENSE-2.0'));
});
