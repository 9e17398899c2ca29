import { randomBytes } from 'node:crypto';
import type { VaultBackend } from '../backend/backend.js';
import { isNotFoundError } from '../backend/errors.js';
import { KEY_BYTES, openJson } from '../crypto/blob-cipher.js';
import { createKeyFile, unlockKeyFile, type KeyFile, type ScryptCost } from '../crypto/key-file.js';
import { VaultError } from '../errors.js';
import { sha256 } from '../repository/repository.js';
import type { VaultConfig } from '../repository/vault-config.js';

export interface KeyInfo {
  id: string;
  created: string;
  host: string;
  username: string;
  current: boolean;
}

export async function saveKeyFile(backend: VaultBackend, password: string, masterKey: Buffer, cost?: ScryptCost): Promise<string> {
  if (!password) throw new VaultError('INVALID_ARGUMENT', 'the vault password must not be empty');
  const body = Buffer.from(JSON.stringify(await createKeyFile(password, masterKey, cost), null, 2));
  const id = sha256(body);
  await backend.save(`keys/${id}`, body);
  return id;
}

export function newMasterKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

async function loadSealedConfig(backend: VaultBackend): Promise<Buffer> {
  try {
    return await backend.load('config');
  } catch (err) {
    if (isNotFoundError(err)) throw new VaultError('VAULT_NOT_FOUND', `no vault at ${backend.location}`);
    throw err;
  }
}

/**
 * Reads the vault's config with a master key handed over whole (a key the server held for recovery); a key that
 * is not this vault's is WRONG_KEY.
 */
export async function configWithMasterKey(backend: VaultBackend, masterKey: Buffer): Promise<VaultConfig> {
  const sealedConfig = await loadSealedConfig(backend);
  if (masterKey.length !== KEY_BYTES) throw new VaultError('WRONG_KEY', 'the key given is not a vault master key');
  try {
    return openJson<VaultConfig>(masterKey, sealedConfig, 'vault config');
  } catch {
    throw new VaultError('WRONG_KEY', `the key given does not open the vault at ${backend.location}`);
  }
}

/** Tries the password on every key file; returns the master key and which key file opened it. */
export async function unlockVault(backend: VaultBackend, password: string): Promise<{ masterKey: Buffer; keyId: string; config: VaultConfig }> {
  const sealedConfig = await loadSealedConfig(backend);
  for (const f of await backend.list('keys/')) {
    let keyFile: KeyFile;
    try {
      keyFile = JSON.parse((await backend.load(f.name)).toString('utf8')) as KeyFile;
    } catch {
      continue;
    }
    const masterKey = await unlockKeyFile(keyFile, password);
    if (!masterKey) continue;
    const config = openJson<VaultConfig>(masterKey, sealedConfig, 'vault config');
    return { masterKey, keyId: f.name.slice('keys/'.length), config };
  }
  throw new VaultError('WRONG_PASSWORD', 'wrong password: no key file of this vault opens with it');
}

export async function listKeyInfos(backend: VaultBackend, currentId: string): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  for (const f of await backend.list('keys/')) {
    const k = JSON.parse((await backend.load(f.name)).toString('utf8')) as KeyFile;
    const id = f.name.slice('keys/'.length);
    out.push({ id, created: k.created, host: k.host, username: k.username, current: id === currentId });
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}
