import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TSchema, Type } from 'typebox';
import { MAX_WIRE_DEPTH, readDecimalInteger, readWireInput, textFault } from '../../src/facades/shared/wire-input.js';

const Details = Type.Object({
  Price: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  Reference: Type.String({ minLength: 1, maxLength: 10 }),
  Note: Type.Optional(Type.String({ maxLength: 200 })),
  Code: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
  Ratio: Type.Optional(Type.Number()),
  Flag: Type.Optional(Type.Boolean()),
  Nested: Type.Optional(Type.Object({ Count: Type.Optional(Type.Integer({ minimum: 0 })) })),
  Tags: Type.Optional(Type.Array(Type.String({ maxLength: 5 }), { maxItems: 3 })),
  Platform: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 3 })])),
});
const valid = { Price: 1000, Reference: 'ref-1' };

/** The value read, or a failure of the test naming what was wrong. */
function accepted(value: unknown, schema: TSchema = Details): unknown {
  const result = readWireInput(schema, value);
  if (!result.ok) assert.fail(`refused: ${result.error.path} ${result.error.reason}`);
  return result.value;
}

function refused(value: unknown, schema: TSchema = Details): { path: string; reason: string } {
  const result = readWireInput(schema, value);
  if (result.ok) assert.fail(`accepted: ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('readWireInput: text', () => {
  it('refuses C0 controls (but TAB, LF, CR), DEL and C1 controls in any string', () => {
    for (const bad of ['\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u000E', '\u001F', '\u007F', '\u0080', '\u009F']) {
      assert.deepEqual(refused({ ...valid, Note: `a${bad}b` }), { path: '/Note', reason: 'must not contain control characters' }, JSON.stringify(bad));
    }
    assert.equal((accepted({ ...valid, Note: 'line 1\r\nline 2\tend' }) as { Note: string }).Note, 'line 1\r\nline 2\tend');
  });

  it('refuses unpaired surrogates, keeps pairs', () => {
    for (const bad of ['\uD800', 'x\uDC00', '\uDC00\uD800', '\uD83D']) {
      assert.deepEqual(refused({ ...valid, Note: bad }), { path: '/Note', reason: 'must not contain unpaired surrogates' }, JSON.stringify(bad));
    }
    assert.equal((accepted({ ...valid, Note: 'paid 😀' }) as { Note: string }).Note, 'paid 😀');
  });

  it('holds member names and unknown members to the same rules, without echoing them', () => {
    assert.deepEqual(refused({ ...valid, 'Bad\u0000Name': 1 }), { path: '', reason: 'must not have member names with control characters or unpaired surrogates' });
    assert.deepEqual(refused({ ...valid, Nested: { '\uD800': 1 } }), { path: '/Nested', reason: 'must not have member names with control characters or unpaired surrogates' });
    assert.deepEqual(refused({ ...valid, Unknown: { Deep: ['ok', 'no\u0007'] } }), { path: '/Unknown/Deep/1', reason: 'must not contain control characters' });
  });

  it('checks text before types: a control character is reported as such, whatever the schema', () => {
    assert.deepEqual(refused({ ...valid, Price: '10\u00000' }), { path: '/Price', reason: 'must not contain control characters' });
  });

  it('textFault names the rule a text breaks', () => {
    assert.equal(textFault('plain text, æøå, 😀'), null);
    assert.equal(textFault('a\u0000'), 'must not contain control characters');
    assert.equal(textFault('\uDFFF'), 'must not contain unpaired surrogates');
    assert.equal(textFault('x\uFFFE'), 'must not contain U+FFFE or U+FFFF');
    assert.equal(textFault('\uFFFF'), 'must not contain U+FFFE or U+FFFF');
  });
});

describe('readWireInput: integers', () => {
  it('accepts a JSON integer or a plain decimal string, and converts the string', () => {
    for (const [input, expected] of [[1000, 1000], ['1000', 1000], ['0001000', 1000], [1e3, 1000]] as const) {
      assert.equal((accepted({ ...valid, Price: input }) as { Price: number }).Price, expected, String(input));
    }
    assert.equal((accepted({ ...valid, Nested: { Count: '-0' } }, Details) as { Nested: { Count: number } }).Nested.Count, 0);
    assert.ok(Object.is((accepted({ Count: -0 }, Type.Object({ Count: Type.Integer() })) as { Count: number }).Count, 0), '-0 reads as 0');
  });

  it('refuses hex, exponents, signs, whitespace, fractions, arrays, booleans and unsafe integers', () => {
    const bad: unknown[] = ['0x3E8', '1e3', '+1000', ' 1000', '1000 ', ' 1000 ', '1_000', '1000.0', '', '-', '١٠٠٠', 1000.5, [1000], ['1000'], true, {}, null];
    bad.push('12345678901234567', '9007199254740993', 2 ** 53, Number.MAX_VALUE);
    for (const price of bad) assert.deepEqual(refused({ ...valid, Price: price }), { path: '/Price', reason: 'must be integer' }, JSON.stringify(price));
  });

  it('applies the schema bounds to the converted value', () => {
    assert.deepEqual(refused({ ...valid, Price: '0' }), { path: '/Price', reason: 'must be >= 1' });
    assert.deepEqual(refused({ ...valid, Price: '2147483648' }), { path: '/Price', reason: 'must be <= 2147483647' });
  });

  it('readDecimalInteger reads only plain decimal safe integers', () => {
    assert.equal(readDecimalInteger('42'), 42);
    assert.equal(readDecimalInteger('-42'), -42);
    assert.equal(readDecimalInteger('9007199254740991'), Number.MAX_SAFE_INTEGER);
    for (const text of ['9007199254740992', '+1', '1e1', '0x1', ' 1', '']) assert.equal(readDecimalInteger(text), null, text);
  });
});

describe('readWireInput: numbers, booleans and strings', () => {
  it('reads a number from a JSON number or a plain decimal string', () => {
    assert.equal((accepted({ ...valid, Ratio: '12.50' }) as { Ratio: number }).Ratio, 12.5);
    assert.equal((accepted({ ...valid, Ratio: -0.25 }) as { Ratio: number }).Ratio, -0.25);
    for (const ratio of ['1e3', '.5', '5.', '+1.5', '0x1', ' 1.5', '1,5', [1.5]]) {
      assert.deepEqual(refused({ ...valid, Ratio: ratio }), { path: '/Ratio', reason: 'must be number' }, JSON.stringify(ratio));
    }
  });

  it('reads a boolean from true/false, as JSON or text', () => {
    assert.equal((accepted({ ...valid, Flag: 'true' }) as { Flag: boolean }).Flag, true);
    assert.equal((accepted({ ...valid, Flag: false }) as { Flag: boolean }).Flag, false);
    for (const flag of ['1', 'yes', 'TRUE', 1, [true]]) assert.deepEqual(refused({ ...valid, Flag: flag }), { path: '/Flag', reason: 'must be boolean' });
  });

  it('takes a JSON integer for a string as its decimal text; nothing else', () => {
    assert.equal((accepted({ ...valid, Reference: 4790000000 }) as { Reference: string }).Reference, '4790000000');
    for (const reference of [1.5, true, ['ref'], { a: 1 }, 2 ** 60]) {
      assert.deepEqual(refused({ ...valid, Reference: reference }), { path: '/Reference', reason: 'must be string' }, JSON.stringify(reference));
    }
  });

  it('applies lengths and patterns after reading', () => {
    assert.deepEqual(refused({ ...valid, Reference: 'x'.repeat(11) }), { path: '/Reference', reason: 'must not have more than 10 characters' });
    assert.deepEqual(refused({ ...valid, Reference: '' }), { path: '/Reference', reason: 'must not have fewer than 1 characters' });
    assert.deepEqual(refused({ ...valid, Code: '12345' }), { path: '/Code', reason: 'must match pattern "^[0-9]{4}$"' });
    assert.equal((accepted({ ...valid, Reference: '😀'.repeat(10) }) as { Reference: string }).Reference.length, 20, 'lengths count characters');
  });
});

describe('readWireInput: objects, arrays and unions', () => {
  it('keeps the members the schema knows, ignores the others and reports a missing one at its object', () => {
    assert.deepEqual(accepted({ ...valid, Attempt: 1, UssdAuthorization: '1', Nested: { Count: '2', Extra: true } }), { ...valid, Nested: { Count: 2 } });
    assert.deepEqual(refused({ Reference: 'r' }), { path: '', reason: "must have required property 'Price'" });
    assert.deepEqual(refused({ ...valid, Nested: { Count: '1e1' } }), { path: '/Nested/Count', reason: 'must be integer' });
  });

  it('refuses what is not an object where one is expected', () => {
    for (const value of [null, undefined, 'text', [valid], 7]) assert.deepEqual(refused(value), { path: '', reason: 'must be object' }, JSON.stringify(value));
    assert.deepEqual(refused({ ...valid, Nested: '' }), { path: '/Nested', reason: 'must be object' });
  });

  it('reads arrays item by item, within their bounds', () => {
    assert.deepEqual((accepted({ ...valid, Tags: ['a', 7] }) as { Tags: string[] }).Tags, ['a', '7']);
    assert.deepEqual(refused({ ...valid, Tags: 'a' }), { path: '/Tags', reason: 'must be array' });
    assert.deepEqual(refused({ ...valid, Tags: ['a', 'b\u0000'] }), { path: '/Tags/1', reason: 'must not contain control characters' });
    assert.deepEqual(refused({ ...valid, Tags: ['a', 'b', 'c', 'd'] }), { path: '/Tags', reason: 'must not have more than 3 items' });
  });

  it('a union takes the first variant the value reads as; otherwise reports the first variant', () => {
    assert.equal((accepted({ ...valid, Platform: '1' }) as { Platform: unknown }).Platform, 1);
    assert.equal((accepted({ ...valid, Platform: 'sms' }) as { Platform: unknown }).Platform, 'sms');
    assert.equal((accepted({ ...valid, Platform: '+1' }) as { Platform: unknown }).Platform, '+1');
    assert.deepEqual(refused({ ...valid, Platform: 'toolong' }), { path: '/Platform', reason: 'must be integer' });
  });

  it('refuses input nested deeper than MAX_WIRE_DEPTH, known or unknown', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < MAX_WIRE_DEPTH + 1; level += 1) deep = { a: deep };
    assert.equal(refused({ ...valid, Unknown: deep }).reason, 'is nested too deeply');
    let list: unknown = [];
    for (let level = 0; level < 10_000; level += 1) list = [list];
    assert.equal(refused({ ...valid, Unknown: list }).reason, 'is nested too deeply', 'no stack overflow');
  });

  it('names paths as JSON Pointers, escaped and cut short', () => {
    assert.equal(refused({ ...valid, 'a/b~c': '\u0000' }).path, '/a~1b~0c');
    const long = 'n'.repeat(1000);
    assert.equal(refused({ ...valid, [long]: '\u0000' }).path, `/${'n'.repeat(64)}…`);
  });

  it('works on a plain JSON Schema copy, as a framework may hand the schema over', () => {
    const copy = JSON.parse(JSON.stringify(Details)) as TSchema;
    assert.deepEqual(accepted({ Price: '5', Reference: 'r' }, copy), { Price: 5, Reference: 'r' });
    assert.deepEqual(refused({ Price: '0x5', Reference: 'r' }, copy), { path: '/Price', reason: 'must be integer' });
  });
});
