import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_WIRE_DATE_MS, MIN_WIRE_DATE_MS, parseIsoDate, parseIsoDateTime, parseWireDateTime } from '../../src/kernel/wcf-date.js';

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

describe('wire dates are real calendar dates within the .NET DateTime range', () => {
  it('refuses impossible dates and times instead of rolling them over', () => {
    const impossible = ['2027-02-30T00:00:00', '2027-02-29T00:00:00Z', '2027-13-01T00:00:00', '2027-00-10T00:00:00', '2027-01-00T00:00:00', '2027-04-31T00:00:00'];
    impossible.push('2027-01-01T24:30:00', '2027-01-01T24:00:00', '2027-01-01T23:60:00', '2027-01-01T23:59:60', '2027-01-01T00:00:00+15:00', '2027-01-01T00:00:00+01:60');
    for (const text of impossible) assert.equal(parseWireDateTime(text), null, text);
    assert.equal(parseWireDateTime('2028-02-29T23:59:59.9999999Z')?.toISOString(), '2028-02-29T23:59:59.999Z', 'a leap day');
    assert.equal(parseWireDateTime('2000-02-29T00:00:00Z')?.toISOString(), '2000-02-29T00:00:00.000Z', '2000 is a leap year');
    assert.equal(parseWireDateTime('1900-02-29T00:00:00Z'), null, '1900 is not');
    assert.equal(parseWireDateTime('2027-01-01T00:00:00-12:00')?.toISOString(), '2027-01-01T12:00:00.000Z');
    assert.equal(parseWireDateTime('2027-01-01T00:00:00+14:00')?.toISOString(), '2026-12-31T10:00:00.000Z');
  });

  it('takes 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.9999999Z, in either form, and nothing beyond', () => {
    assert.equal(MIN_WIRE_DATE_MS, Date.parse('0001-01-01T00:00:00Z'));
    assert.equal(MAX_WIRE_DATE_MS, Date.parse('9999-12-31T23:59:59.999Z'));
    assert.equal(parseWireDateTime('0001-01-01T00:00:00Z')?.getTime(), MIN_WIRE_DATE_MS);
    assert.equal(parseWireDateTime('0099-06-01T00:00:00Z')?.toISOString(), '0099-06-01T00:00:00.000Z', 'years below 100 are not read as 19xx');
    assert.equal(parseWireDateTime('9999-12-31T23:59:59.9999999Z')?.getTime(), MAX_WIRE_DATE_MS);
    assert.equal(parseWireDateTime(`/Date(${MAX_WIRE_DATE_MS})/`)?.getTime(), MAX_WIRE_DATE_MS);
    assert.equal(parseWireDateTime(`/Date(${MIN_WIRE_DATE_MS}+0100)/`)?.getTime(), MIN_WIRE_DATE_MS);
    const beyond = ['/Date(253402300800000)/', `/Date(${MIN_WIRE_DATE_MS - 1})/`, '/Date(999999999999999)/', '/Date(-999999999999999)/'];
    beyond.push('0000-12-31T23:59:59Z', '0001-01-01T00:00:00+00:01', '9999-12-31T23:59:59-00:01', '10000-01-01T00:00:00Z');
    for (const text of beyond) assert.equal(parseWireDateTime(text), null, text);
  });

  it('parseIsoDateTime is the ISO half alone; parseIsoDate reads a calendar date as midnight UTC', () => {
    assert.equal(parseIsoDateTime('2030-01-01T01:00:00+01:00')?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(parseIsoDateTime('/Date(1893456000000)/'), null);
    assert.equal(parseIsoDate('2027-02-28')?.toISOString(), '2027-02-28T00:00:00.000Z');
    assert.equal(parseIsoDate('0001-01-01')?.getTime(), MIN_WIRE_DATE_MS);
    for (const text of ['2027-02-29', '2027-13-01', '0000-01-01', '2027-1-01', '2027-01-01T00:00:00Z', ' 2027-01-01']) assert.equal(parseIsoDate(text), null, text);
  });
});
