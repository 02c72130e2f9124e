import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isOutboxTopic, OUTBOX_TOPICS } from '../../src/core/outbox/catalogue.js';

const storage = fileURLToPath(new URL('../../../src/storage/', import.meta.url));
/** The one function that takes its topic from its callers; every call names a topic. */
const ENQUEUE = 'enqueue_payment_event';

/** The SQL that runs today: the function files and the repositories' statements (migrations are history). */
function liveSql(): { file: string; text: string }[] {
  const read = (folder: string, ending: string) =>
    readdirSync(join(storage, folder))
      .filter((name) => name.endsWith(ending))
      .map((name) => ({ file: `${folder}/${name}`, text: readFileSync(join(storage, folder, name), 'utf8').replace(/--.*$/gm, '') }));
  return [...read('functions', '.sql'), ...read('repositories', '.ts')];
}

/** Every topic SQL can write to the outbox, with where; a topic that is not a literal fails here. */
function emittedTopics(): Map<string, string[]> {
  const topics = new Map<string, string[]>();
  const add = (topic: string, file: string) => topics.set(topic, [...(topics.get(topic) ?? []), file]);
  for (const { file, text } of liveSql()) {
    for (const m of text.matchAll(/INSERT\s+INTO\s+outbox_events\s*\([^)]*\)\s*(?:VALUES\s*\(|SELECT)\s*([^,]+),/gi)) {
      const value = (m[1] ?? '').trim();
      const literal = /^'([^']+)'$/.exec(value)?.[1];
      if (literal) add(literal, file);
      else assert.ok(file === `functions/${ENQUEUE}.sql` && value === 'p_topic', `${file}: an outbox insert with topic ${value}, not a literal`);
    }
    for (const m of text.matchAll(new RegExp(`(?<!FUNCTION\\s+)${ENQUEUE}\\s*\\(\\s*([^,]+),`, 'gi'))) {
      const value = (m[1] ?? '').trim();
      const literal = /^'([^']+)'$/.exec(value)?.[1];
      assert.ok(literal, `${file}: ${ENQUEUE} called with topic ${value}, not a literal`);
      add(literal, file);
    }
  }
  return topics;
}

test('every topic the SQL functions and repositories can write to the outbox is declared in the catalogue', () => {
  const emitted = emittedTopics();
  // The scan finds what is there today (so a broken pattern cannot pass by finding nothing).
  for (const topic of ['sms.send', 'carrier.credit', 'payment.reversed']) assert.ok(emitted.has(topic), `${topic} is found`);
  for (const [topic, files] of emitted) assert.ok(isOutboxTopic(topic), `${topic} (written by ${files.join(', ')}) is not in src/core/outbox/catalogue.ts`);
  assert.ok(OUTBOX_TOPICS.length >= emitted.size);
});
