import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatenate, decodeText, encodeText, encodingOf, segment, segmentCount } from '../../../src/core/messaging/encoding.js';
import { assertTransition, canTransition, isFinal, MESSAGE_STATES } from '../../../src/core/messaging/states.js';
import { InvariantError } from '../../../src/kernel/assert.js';

describe('SMS encoding and segments', () => {
  it('GSM-7 when every character is in the default alphabet or its extension, UCS-2 otherwise', () => {
    assert.equal(encodingOf('Hei Åse, koden er 1234 @£$¥ÆØÅæøå§¿'), 'gsm7');
    assert.equal(encodingOf('Price 10€ [x] {y} ~|^\\'), 'gsm7');
    assert.equal(encodingOf('ş'), 'ucs2');
    assert.equal(encodingOf('á'), 'ucs2', 'á is not in GSM 03.38 (à is)');
    assert.equal(encodingOf('😀'), 'ucs2');
    assert.equal(encodingOf('\u001b'), 'ucs2', 'the escape itself is not a character');
  });

  it('GSM-7: 160 septets in one SMS, then parts of 153', () => {
    assert.equal(segmentCount('a'.repeat(160)), 1);
    assert.equal(segmentCount('a'.repeat(161)), 2);
    assert.equal(segmentCount('a'.repeat(306)), 2);
    assert.equal(segmentCount('a'.repeat(307)), 3);
    assert.deepEqual(segment('a'.repeat(161)).parts.map((p) => p.length), [153, 8]);
  });

  it('extension characters count double, and a part never splits one from its escape', () => {
    assert.equal(segmentCount('€'.repeat(80)), 1);
    assert.equal(segmentCount('€'.repeat(81)), 2);
    assert.equal(segment('a'.repeat(159) + '€').units, 161);
    assert.equal(segmentCount('a'.repeat(159) + '€'), 2);
    // 152 septets, then a two-septet € that would end on septet 154: it opens the second part.
    const { parts } = segment(`${'a'.repeat(152)}€${'b'.repeat(10)}`);
    assert.deepEqual(parts, ['a'.repeat(152), `€${'b'.repeat(10)}`]);
  });

  it('UCS-2: 70 units in one SMS, then parts of 67; a surrogate pair is never split', () => {
    assert.equal(segmentCount('ş'.repeat(70)), 1);
    assert.equal(segmentCount('ş'.repeat(71)), 2);
    assert.equal(segmentCount('ş'.repeat(134)), 2);
    assert.equal(segmentCount('ş'.repeat(135)), 3);
    assert.equal(segmentCount('😀'.repeat(35)), 1);
    assert.equal(segmentCount('😀'.repeat(36)), 2);
    const { parts, units } = segment(`${'ş'.repeat(66)}😀${'ş'.repeat(10)}`);
    assert.equal(units, 78);
    assert.deepEqual(parts, ['ş'.repeat(66), `😀${'ş'.repeat(10)}`]);
  });

  it('encodes GSM-7 as septets (extension as escape + code) and UCS-2 as big-endian, and reads them back', () => {
    assert.deepEqual([...encodeText('@A€\n', 'gsm7')], [0x00, 0x41, 0x1b, 0x65, 0x0a]);
    assert.deepEqual([...encodeText('Æß¿à', 'gsm7')], [0x1c, 0x1e, 0x60, 0x7f]);
    assert.deepEqual([...encodeText('ş😀', 'ucs2')], [0x01, 0x5f, 0xd8, 0x3d, 0xde, 0x00]);
    for (const text of ['Hei {Åse} ~ 10€ |x|', 'Привет 😀']) {
      assert.equal(decodeText(encodeText(text, encodingOf(text)), encodingOf(text)), text);
    }
  });

  it('concatenated parts carry the UDH 05 00 03 ref total seq; a single SMS none', () => {
    assert.deepEqual(concatenate('short', 7), [{ udh: Buffer.alloc(0), payload: Buffer.from('short') }]);
    const parts = concatenate('a'.repeat(200), 0x2a);
    assert.deepEqual(
      parts.map((p) => [...p.udh]),
      [
        [5, 0, 3, 0x2a, 2, 1],
        [5, 0, 3, 0x2a, 2, 2],
      ],
    );
    assert.deepEqual(parts.map((p) => p.payload.length), [153, 47]);
    assert.throws(() => concatenate('x', 256), InvariantError);
  });
});

describe('message state machine', () => {
  it('queued → submitted → delivered | failed | expired; queued may fail or expire; final states are final', () => {
    const allowed = MESSAGE_STATES.flatMap((from) => MESSAGE_STATES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    assert.deepEqual(allowed, [
      'queued→submitted',
      'queued→failed',
      'queued→expired',
      'submitted→delivered',
      'submitted→failed',
      'submitted→expired',
    ]);
    assert.deepEqual(MESSAGE_STATES.filter(isFinal), ['delivered', 'failed', 'expired']);
    assert.throws(() => assertTransition('delivered', 'failed'), { name: 'InvariantError', message: 'a message cannot go from delivered to failed' });
    assert.throws(() => assertTransition('queued', 'delivered'), InvariantError);
  });
});
