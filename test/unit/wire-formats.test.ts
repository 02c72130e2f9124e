import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { smsParts } from '../../src/kernel/sms.js';
import { parseWireDateTime } from '../../src/kernel/wcf-date.js';

describe('smsParts', () => {
  it('counts GSM-7 septets, with extension characters as two', () => {
    assert.equal(smsParts('a'.repeat(160)), 1);
    assert.equal(smsParts('a'.repeat(161)), 2);
    assert.equal(smsParts('a'.repeat(459)), 3);
    assert.equal(smsParts('a'.repeat(460)), 4);
    assert.equal(smsParts('€'.repeat(80)), 1);
    assert.equal(smsParts('€'.repeat(81)), 2);
    assert.equal(smsParts('Æøå'.repeat(53)), 1);
  });
  it('falls back to UCS-2 (surrogate pairs count as two units)', () => {
    assert.equal(smsParts('ş'.repeat(70)), 1);
    assert.equal(smsParts('ş'.repeat(71)), 2);
    assert.equal(smsParts('😀'.repeat(35)), 1);
    assert.equal(smsParts('😀'.repeat(36)), 2);
  });
});

describe('parseWireDateTime', () => {
  it('reads ISO 8601 with an offset and WCF /Date()/', () => {
    assert.equal(parseWireDateTime('2030-01-01T00:00:00Z')?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(parseWireDateTime('2030-01-01T01:00:00+01:00')?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(parseWireDateTime('/Date(1893456000000+0100)/')?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(parseWireDateTime('/Date(1893456000000)/')?.toISOString(), '2030-01-01T00:00:00.000Z');
  });
  it('reads ISO 8601 without an offset (a DateTime of unspecified kind) as UTC', () => {
    assert.equal(parseWireDateTime('2030-01-01T00:00:00')?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(parseWireDateTime('2030-01-01T12:30:15.1234567')?.toISOString(), '2030-01-01T12:30:15.123Z');
  });
  it('refuses dates without a time and anything else', () => {
    for (const text of ['2030-01-01', 'tomorrow', '/Date(abc)/', '2030-13-45T00:00:00Z', '2030-01-01T00:00:00+0100']) {
      assert.equal(parseWireDateTime(text), null, text);
    }
  });
});
