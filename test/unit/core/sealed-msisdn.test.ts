import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSealingKeys, generateSealingKey, MAX_SEALED_CHARS, MsisdnSealer, parseSealingKeys } from '../../../src/core/aliases/sealed-msisdn.js';
import type { Msisdn } from '../../../src/kernel/msisdn.js';

const NUMBER = '+27825551234' as Msisdn;

describe('MsisdnSealer: subscriber numbers sealed per owner (AES-256-GCM)', () => {
  const key1 = generateSealingKey(1);
  const key2 = generateSealingKey(2);

  it('opens for its owner only; every sealing differs (random nonce)', () => {
    const sealer = new MsisdnSealer([key1]);
    const a = sealer.seal(100, NUMBER);
    const b = sealer.seal(100, NUMBER);
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]+$/);
    assert.ok(a.length <= MAX_SEALED_CHARS);
    assert.equal(sealer.open(100, a), NUMBER);
    assert.equal(sealer.open(101, a), null, 'another owner cannot open it');
  });

  it('any changed character, a truncation or an unknown key id fails', () => {
    const sealer = new MsisdnSealer([key1]);
    const sealed = sealer.seal(100, NUMBER);
    for (let i = 0; i < sealed.length; i++) {
      const changed = `${sealed.slice(0, i)}${sealed[i] === 'A' ? 'B' : 'A'}${sealed.slice(i + 1)}`;
      // The last character may carry padding bits only base64url ignores; the bytes must still differ to count.
      if (Buffer.from(changed, 'base64url').equals(Buffer.from(sealed, 'base64url'))) continue;
      assert.equal(sealer.open(100, changed), null, `character ${i}`);
    }
    assert.equal(sealer.open(100, sealed.slice(0, -4)), null);
    assert.equal(new MsisdnSealer([key2]).open(100, sealed), null);
  });

  it('rotation: the first key seals, every listed key opens', () => {
    const old = new MsisdnSealer([key1]).seal(100, NUMBER);
    const rotated = new MsisdnSealer([key2, key1]);
    assert.equal(rotated.open(100, old), NUMBER);
    const fresh = rotated.seal(100, NUMBER);
    assert.equal(Buffer.from(fresh, 'base64url')[0], 2);
    assert.equal(new MsisdnSealer([key1]).open(100, fresh), null);
  });

  it('keys are read from "id:base64,…" and refused when malformed', () => {
    const text = formatSealingKeys([key2, key1]);
    assert.deepEqual(parseSealingKeys(text)?.map((k) => k.keyId), [2, 1]);
    for (const bad of ['', '1:short', `0:${key1.key.toString('base64')}`, `${formatSealingKeys([key1])},${formatSealingKeys([key1])}`]) {
      assert.equal(parseSealingKeys(bad), null, bad);
    }
  });

  it("operator aliases are stable per network and differ between networks", () => {
    const sealer = new MsisdnSealer([key1]);
    assert.equal(sealer.operatorAlias('655-01', NUMBER), sealer.operatorAlias('655-01', NUMBER));
    assert.notEqual(sealer.operatorAlias('655-01', NUMBER), sealer.operatorAlias('655-10', NUMBER));
  });
});
