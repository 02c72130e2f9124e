import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

// N=2^14, r=8, p=1: ~15 ms here; credentials are verified once per cache period, not per request.
const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

/** Hashes a password as "scrypt$N$r$p$salt$hash" (base64 parts). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, keyText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !keyText) return false;
  const expected = Buffer.from(keyText, 'base64');
  const actual = await scrypt(secret, Buffer.from(saltText, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Compares two secrets in a time that tells nothing: neither where they differ nor their lengths. */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A random secret of `bytes` bytes, base64url (no padding): 32 bytes give 43 characters. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A random lower-case base32 id of `length` characters (5 bits each), for ids printed beside secrets. */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += BASE32[byte & 31];
  return id;
}

/** "sha256$<hex>": for secrets the platform generated (high entropy), where scrypt's cost buys nothing. */
export function hashGeneratedSecret(secret: string): string {
  return `sha256$${sha256Hex(secret)}`;
}

/** Verifies a secret against either stored form, in constant time for a given form. */
export async function verifyStoredSecret(secret: string, stored: string): Promise<boolean> {
  if (stored.startsWith('sha256$')) return secretsEqual(`sha256$${sha256Hex(secret)}`, stored);
  return verifySecret(secret, stored);
}
