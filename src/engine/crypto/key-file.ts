import { randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import os from 'node:os';
import { open, seal, KEY_BYTES } from './blob-cipher.js';
import { IntegrityError } from '../errors.js';

/**
 * A key file holds the vault's master key wrapped under a key derived from one password with scrypt. A vault
 * may have several key files, one per password; each unlocks the same master key.
 */
export interface KeyFile {
  version: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  created: string;
  host: string;
  username: string;
  /** base64 of seal(derivedKey, JSON {masterKey}) */
  data: string;
}

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 B = 32 MiB of memory and ~0.1 s on a current core: the interactive setting scrypt's author recommends. */
export const DEFAULT_SCRYPT: ScryptCost = { N: 1 << 15, r: 8, p: 1 };

export async function deriveKey(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function createKeyFile(password: string, masterKey: Buffer, cost: ScryptCost = DEFAULT_SCRYPT): Promise<KeyFile> {
  const salt = randomBytes(32);
  const wrapKey = await deriveKey(password, salt, cost);
  const payload = Buffer.from(JSON.stringify({ masterKey: masterKey.toString('base64') }));
  return {
    version: 1,
    kdf: 'scrypt',
    ...cost,
    salt: salt.toString('base64'),
    created: new Date().toISOString(),
    host: os.hostname(),
    username: safeUsername(),
    data: seal(wrapKey, payload).toString('base64'),
  };
}

/** Returns the master key, or undefined when the password does not fit this key file. */
export async function unlockKeyFile(keyFile: KeyFile, password: string): Promise<Buffer | undefined> {
  if (keyFile.kdf !== 'scrypt') throw new IntegrityError(`unsupported key derivation ${String(keyFile.kdf)}`);
  const wrapKey = await deriveKey(password, Buffer.from(keyFile.salt, 'base64'), keyFile);
  let payload: Buffer;
  try {
    payload = open(wrapKey, Buffer.from(keyFile.data, 'base64'), 'key file');
  } catch {
    return undefined;
  }
  const key = Buffer.from((JSON.parse(payload.toString('utf8')) as { masterKey: string }).masterKey, 'base64');
  if (key.length !== KEY_BYTES) throw new IntegrityError('key file holds a master key of the wrong size');
  return key;
}

function safeUsername(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}
