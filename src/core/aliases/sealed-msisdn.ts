import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomFillSync } from 'node:crypto';
import { assert } from '../../kernel/assert.js';
import { type Msisdn, parseMsisdn } from '../../kernel/msisdn.js';

/** A key that seals subscriber numbers: its id (1-255, written into every sealed value) and 32 bytes. */
export interface SealingKey {
  readonly keyId: number;
  readonly key: Buffer;
}

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const OWNER_BYTES = 8;
/** E.164 has at most 15 digits. */
const MAX_MSISDN_DIGITS = 15;
/** The longest sealed value: key id, nonce, owner, digits, tag, in base64url. */
export const MAX_SEALED_CHARS = Math.ceil(((1 + NONCE_BYTES + OWNER_BYTES + MAX_MSISDN_DIGITS + TAG_BYTES) * 4) / 3);
const MAX_KEYS = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ALIAS_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALIAS_LENGTH = 20;

/**
 * A subscriber's number sealed for one owner (a merchant endpoint): opaque to the owner,
 * openable only by this platform and only for the same owner. AES-256-GCM with a random
 * nonce over owner ‖ digits, with the owner also as associated data, so a value of one
 * owner fails authentication for any other, and any change to it fails as well:
 * base64url(keyId ‖ nonce ‖ ciphertext ‖ tag). The key id lets keys rotate: the first key
 * seals, every listed key opens.
 */
export class MsisdnSealer {
  readonly #sealing: SealingKey;
  readonly #byId: ReadonlyMap<number, Buffer>;
  readonly #aliasKey: Buffer;

  constructor(keys: readonly SealingKey[]) {
    assert(keys.length >= 1 && keys.length <= MAX_KEYS, `1-${MAX_KEYS} sealing keys`);
    const byId = new Map<number, Buffer>();
    for (const { keyId, key } of keys) {
      assert(Number.isInteger(keyId) && keyId >= 1 && keyId <= 255, 'a key id is 1-255');
      assert(key.length === KEY_BYTES, 'a sealing key is 32 bytes');
      assert(!byId.has(keyId), `key id ${keyId} given twice`);
      byId.set(keyId, key);
    }
    this.#sealing = keys[0] as SealingKey;
    this.#byId = byId;
    // Derived from the sealing key: computable by nobody without it (a rotation gives subscribers new aliases).
    this.#aliasKey = createHmac('sha256', this.#sealing.key).update('operator alias').digest();
  }

  seal(ownerId: number, msisdn: Msisdn): string {
    const owner = ownerBytes(ownerId);
    const digits = msisdn.length - 1;
    // keyId ‖ nonce ‖ ciphertext of owner ‖ digits ‖ tag, written into one buffer.
    const sealed = Buffer.allocUnsafe(1 + NONCE_BYTES + OWNER_BYTES + digits + TAG_BYTES);
    sealed[0] = this.#sealing.keyId;
    takeNonce(sealed, 1);
    const cipher = createCipheriv('aes-256-gcm', this.#sealing.key, sealed.subarray(1, 1 + NONCE_BYTES));
    cipher.setAAD(owner);
    const plain = Buffer.allocUnsafe(OWNER_BYTES + digits);
    owner.copy(plain, 0);
    plain.write(msisdn.slice(1), OWNER_BYTES, 'ascii');
    const body = 1 + NONCE_BYTES;
    const written = cipher.update(plain).copy(sealed, body) + cipher.final().copy(sealed, body + plain.length);
    assert(written === plain.length, 'AES-GCM writes as many bytes as it reads');
    cipher.getAuthTag().copy(sealed, body + written);
    return sealed.toString('base64url');
  }

  /** The number sealed for this owner, or null: malformed, tampered, of another owner, or under a key no longer held. */
  open(ownerId: number, text: string): Msisdn | null {
    if (text.length === 0 || text.length > MAX_SEALED_CHARS || !BASE64URL.test(text)) return null;
    const bytes = Buffer.from(text, 'base64url');
    if (bytes.length < 1 + NONCE_BYTES + OWNER_BYTES + 1 + TAG_BYTES) return null;
    const key = this.#byId.get(bytes[0] as number);
    if (!key) return null;
    const owner = ownerBytes(ownerId);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + NONCE_BYTES));
    decipher.setAAD(owner);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch {
      return null;
    }
    if (!plain.subarray(0, OWNER_BYTES).equals(owner)) return null;
    const digits = plain.subarray(OWNER_BYTES).toString('ascii');
    if (!/^[1-9][0-9]{6,14}$/.test(digits)) return null;
    return parseMsisdn(digits);
  }

  /**
   * The operator's stable alias of a subscriber on one network (mcc-mnc): the same for
   * every owner and every call, unrelated to the number for anyone without the key.
   */
  operatorAlias(mccMnc: string, msisdn: Msisdn): string {
    const digest = createHmac('sha256', this.#aliasKey).update(`${mccMnc}\u0000${msisdn}`).digest();
    let alias = '';
    for (let i = 0; i < ALIAS_LENGTH; i++) alias += ALIAS_CHARS[(digest[i] as number) % ALIAS_CHARS.length];
    return alias;
  }
}

/**
 * Nonces are drawn from the CSPRNG a pool at a time: one call per NONCE_POOL_BYTES / 12
 * seals instead of one per seal (half of a seal's cost was the call). Each nonce is taken
 * once; a nonce of GCM is public, so holding the next ones in memory discloses nothing.
 */
const NONCE_POOL_BYTES = 4_092;
const noncePool = Buffer.alloc(NONCE_POOL_BYTES);
let nonceOffset = NONCE_POOL_BYTES;

function takeNonce(target: Buffer, at: number): void {
  if (nonceOffset + NONCE_BYTES > NONCE_POOL_BYTES) {
    randomFillSync(noncePool);
    nonceOffset = 0;
  }
  noncePool.copy(target, at, nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
}

function ownerBytes(ownerId: number): Buffer {
  assert(Number.isSafeInteger(ownerId) && ownerId > 0, 'an owner id is a positive integer');
  const bytes = Buffer.alloc(OWNER_BYTES);
  bytes.writeBigUInt64BE(BigInt(ownerId));
  return bytes;
}

/** Reads "id:base64key,id:base64key" (the first seals); null when malformed. */
export function parseSealingKeys(text: string): SealingKey[] | null {
  const keys: SealingKey[] = [];
  for (const entry of text.split(',')) {
    const match = /^([0-9]{1,3}):([A-Za-z0-9+/=_-]{40,64})$/.exec(entry.trim());
    if (!match) return null;
    const keyId = Number(match[1]);
    const key = Buffer.from(match[2] as string, 'base64');
    if (keyId < 1 || keyId > 255 || key.length !== KEY_BYTES || keys.some((k) => k.keyId === keyId)) return null;
    keys.push({ keyId, key });
  }
  return keys.length >= 1 && keys.length <= MAX_KEYS ? keys : null;
}

export function generateSealingKey(keyId = 1): SealingKey {
  return { keyId, key: randomBytes(KEY_BYTES) };
}

export function formatSealingKeys(keys: readonly SealingKey[]): string {
  return keys.map(({ keyId, key }) => `${keyId}:${key.toString('base64')}`).join(',');
}
