import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { openWithRsaKey } from '../engine/crypto/rsa-envelope.js';

/**
 * Passwords the API hands over are encrypted with the RSA public key the agent registered and hex-encoded (the
 * documents wrap them, so whitespace is ignored), with RSA-OAEP (SHA-1, Node's default). PKCS#1 v1.5 is not
 * accepted: Node 20 refused it for decryption, and on Node 24 OpenSSL's implicit rejection turns a wrong
 * key or a forged text into random bytes instead of an error, so a wrong key could not be told apart.
 */
export function decryptPasswordHex(privateKeyPem: string, hex: string): string {
  const data = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  return privateDecrypt({ key: createPrivateKey(privateKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING }, data).toString('utf8');
}

/** A vault master key the server sealed for this agent (RSA-OAEP-SHA256, hex). */
export function openSealedKeyHex(privateKeyPem: string, hex: string): Buffer {
  return openWithRsaKey(privateKeyPem, Buffer.from(hex, 'hex'));
}
