import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { monthPeriod, yearPeriod } from '../../src/kernel/clock.js';
import { assertAmountMinor, formatMinor, MAX_AMOUNT_MINOR } from '../../src/kernel/money.js';
import { msisdnCountry, parseMsisdn } from '../../src/kernel/msisdn.js';
import { TimeoutError, withTimeout } from '../../src/kernel/timeout.js';
import { buildXml, parseXml, XmlError } from '../../src/kernel/xml.js';

describe('parseMsisdn', () => {
  it('normalises the written forms of one number to E.164', () => {
    for (const raw of ['+4790000000', '4790000000', '004790000000', ' +4790000000 ']) assert.equal(parseMsisdn(raw), '+4790000000');
  });
  it('accepts the sandbox blocks of the three countries', () => {
    assert.equal(parseMsisdn('+447700900017'), '+447700900017');
    assert.equal(parseMsisdn('+27825550005'), '+27825550005');
    assert.equal(msisdnCountry(parseMsisdn('+447700900017') ?? assert.fail()), 'GB');
    assert.equal(msisdnCountry(parseMsisdn('+27825550005') ?? assert.fail()), 'ZA');
  });
  it('refuses fixed lines, short, long and non-numeric input', () => {
    for (const raw of ['+4722000000', '+47', '12', '', 'abc', '+47 900 00 000', `+${'9'.repeat(16)}`, '+'.padEnd(40, '4')]) {
      assert.equal(parseMsisdn(raw), null, raw);
    }
  });
});

describe('money', () => {
  it('formats minor units exactly', () => {
    assert.equal(formatMinor(1500n, 'NOK'), '15.00');
    assert.equal(formatMinor(5n, 'ZAR'), '0.05');
    assert.equal(formatMinor(-123456789012345n, 'USD'), '-1234567890123.45');
  });
  it('bounds every amount', () => {
    assertAmountMinor(1n);
    assertAmountMinor(MAX_AMOUNT_MINOR);
    assert.throws(() => assertAmountMinor(0n));
    assert.throws(() => assertAmountMinor(MAX_AMOUNT_MINOR + 1n));
  });
});

describe('spend periods', () => {
  it('are UTC calendar months and years', () => {
    const newYearInOslo = new Date('2026-12-31T23:30:00Z');
    assert.equal(monthPeriod(newYearInOslo), 'M2026-12');
    assert.equal(yearPeriod(newYearInOslo), 'Y2026');
  });
});

describe('XML', () => {
  it('parses with namespaces stripped and every leaf a string', () => {
    const parsed = parseXml('<a:R xmlns:a="urn:x"><a:P>10</a:P><a:Q>x &amp; &#65;&#x42;</a:Q></a:R>', 1000);
    assert.deepEqual(parsed, { R: { P: '10', Q: 'x & AB' } });
  });
  it('leaves out elements marked xsi:nil (null members), whatever the prefix, and keeps the rest', () => {
    const parsed = parseXml(
      '<R xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:a="urn:x"><a:Age i:nil="true"/><a:P>10</a:P>' +
        '<a:Q i:nil="false">q</a:Q><a:S xsi:nil="true"></a:S><a:E></a:E></R>',
      1000,
    );
    assert.deepEqual(parsed, { R: { P: '10', Q: 'q', E: '' } });
  });
  it('refuses DTDs, entities, malformed and oversized input', () => {
    for (const text of ['<!DOCTYPE a><a/>', '<?xml version="1.0"?><!ENTITY x "y"><a/>', '<a><b></a>', '<a>&#x110000;</a>']) {
      assert.throws(() => parseXml(text, 1000), XmlError, text);
    }
    assert.throws(() => parseXml(`<a>${'x'.repeat(100)}</a>`, 50), XmlError);
  });
  it('refuses character references to, and raw, characters XML 1.0 does not allow', () => {
    for (const reference of ['&#0;', '&#x0;', '&#1;', '&#x8;', '&#xB;', '&#xC;', '&#x1F;', '&#xD800;', '&#xDFFF;', '&#xFFFE;', '&#xFFFF;']) {
      assert.throws(() => parseXml(`<a>x${reference}y</a>`, 1000), /names a character XML 1.0 does not allow/, reference);
    }
    for (const raw of ['\u0000', '\u0001', '\u001F', '\uFFFF']) {
      assert.throws(() => parseXml(`<a>x${raw}y</a>`, 1000), /a character XML 1.0 does not allow/, JSON.stringify(raw));
    }
    assert.deepEqual(parseXml('<a>&#9;&#xA;&#xD;&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;</a>', 1000), {
      a: '\t\n\r \uD7FF\uE000\uFFFD\u{10000}\u{10FFFF}',
    });
  });
  it('escapes text when building', () => {
    assert.equal(buildXml({ R: { '@xmlns': 'urn:x', T: '<&>', N: 5 } }), '<R xmlns="urn:x"><T>&lt;&amp;&gt;</T><N>5</N></R>');
  });
});

describe('withTimeout', () => {
  it('answers as the work does when it is in time, and rejects with a TimeoutError when it is not', async () => {
    assert.equal(await withTimeout(Promise.resolve(7), 1_000, 'quick work'), 7);
    await assert.rejects(withTimeout(Promise.reject(new Error('broken')), 1_000, 'failing work'), /^Error: broken$/);
    await assert.rejects(withTimeout(new Promise(() => {}), 20, 'slow work'), (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.equal(error.message, 'slow work took longer than 20 ms');
      return true;
    });
  });
});
