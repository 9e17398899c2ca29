import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { IntegrityError } from '../errors.js';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Bytes a sealed blob has on top of its plaintext. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

/** AES-256-GCM with a fresh random nonce: nonce ‖ ciphertext ‖ tag. */
export function seal(key: Buffer, plaintext: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const out = Buffer.allocUnsafe(plaintext.length + SEAL_OVERHEAD);
  nonce.copy(out, 0);
  let at = NONCE_BYTES;
  at += cipher.update(plaintext).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return out;
}

/** Reverses `seal`; any altered byte makes it throw IntegrityError. */
export function open(key: Buffer, sealed: Buffer, what = 'blob'): Buffer {
  if (sealed.length < SEAL_OVERHEAD) throw new IntegrityError(`${what} is too short to be sealed data`);
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(tag);
  try {
    const body = decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    const rest = decipher.final();
    return rest.length ? Buffer.concat([body, rest]) : body;
  } catch {
    throw new IntegrityError(`${what} failed authentication (damaged or altered)`);
  }
}

export function sealJson(key: Buffer, value: unknown): Buffer {
  return seal(key, Buffer.from(JSON.stringify(value)));
}

export function openJson<T>(key: Buffer, sealed: Buffer, what: string): T {
  return JSON.parse(open(key, sealed, what).toString('utf8')) as T;
}
