import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { engines, startTestApp, type TestApp } from '../support/app.js';
import { type CorpusAnswer, runCorpus } from '../support/strex-corpus.js';

// dist/test/wire → the source tree's fixtures, so that RECORD_STREX_CORPUS=1 writes the file under version control.
const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/strex/corpus.json', import.meta.url));

/**
 * The Strex wire corpus replayed: every answer is the one recorded before the facade kit,
 * byte for byte, save the generated values normalise() names. RECORD_STREX_CORPUS=1
 * records it anew (only ever on purpose: the fixture is the reference).
 */
for (const engine of engines()) {
  describe(`Strex wire corpus [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'strex-corpus');
    });
    after(() => t.close());

    it('answers every recorded request as recorded', async () => {
      const answers = await runCorpus(t.app);
      if (process.env.RECORD_STREX_CORPUS === '1' && engine === 'pglite') {
        writeFileSync(FIXTURE, `${JSON.stringify(answers, null, 2)}\n`);
      }
      const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as CorpusAnswer[];
      assert.equal(answers.length, recorded.length);
      for (const [index, answer] of answers.entries()) assert.deepEqual(answer, recorded[index], answer.name);
    });
  });
}
