import { constants, createPublicKey, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

/** An RSA public key as agents register it: the modulus in hex and the public exponent (65537, or its text). */
export interface RsaPublicNumbers {
  modulus: string;
  exponent: number | string;
}

/** Keys shorter than this are refused for anything that seals a secret for them. */
export const MIN_RSA_BITS = 2048;

function exponentBytes(exponent: number | string): Buffer {
  let value = BigInt(exponent);
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  return Buffer.from(bytes.length > 0 ? bytes : [0]);
}

/** Builds the key object; throws on a modulus or exponent that is not a valid RSA public key. */
export function rsaPublicKey(numbers: RsaPublicNumbers): KeyObject {
  const n = Buffer.from(String(numbers.modulus).replace(/\s+/g, ''), 'hex');
  return createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: exponentBytes(numbers.exponent).toString('base64url') }, format: 'jwk' });
}

export function rsaKeyBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

/**
 * Seals a short secret (a vault master key) for the holder of the private key: RSA-OAEP with SHA-256. Passwords in
 * the v2 documents use OAEP with SHA-1 (see the CLI's vault-password); keys use this one.
 */
export function sealForRsaKey(key: KeyObject, secret: Buffer): Buffer {
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, secret);
}

export function openWithRsaKey(privateKey: KeyObject | string, sealed: Buffer): Buffer {
  return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, sealed);
}
