import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { openWithRsaKey } from '../engine/crypto/rsa-envelope.js';

/**
 * Passwords the API hands over are encrypted with the RSA public key the agent registered and hex-encoded (the
 * documents wrap them, so whitespace is ignored). RSA-OAEP (SHA-1, Node's default) is tried first, then PKCS#1 v1.5.
 */
export function decryptPasswordHex(privateKeyPem: string, hex: string): string {
  const data = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  const key = createPrivateKey(privateKeyPem);
  try {
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING }, data).toString('utf8');
  } catch {
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, data).toString('utf8');
  }
}

/** A vault master key the server sealed for this agent (RSA-OAEP-SHA256, hex). */
export function openSealedKeyHex(privateKeyPem: string, hex: string): Buffer {
  return openWithRsaKey(privateKeyPem, Buffer.from(hex, 'hex'));
}
