import { randomBytes, timingSafeEqual } from 'node:crypto';
import { passwordPool } from './password-pool.js';

const PARAMS = { N: 16384, r: 8, p: 1, keylen: 32 };

/** `scrypt$N$r$p$salt$hash`, both in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await passwordPool().derive({ password, salt, keylen: PARAMS.keylen, N: PARAMS.N, r: PARAMS.r, p: PARAMS.p });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * Whether `password` matches the stored hash. `stored` undefined (no such user or agent) costs the same as a wrong
 * password, so timing tells nothing about which names exist. `beforeRun` runs when a thread is free, just before
 * the hash: a login throttle re-checks there, so a queued flood is refused without hashing.
 */
export async function verifyPassword(password: string, stored: string | undefined, beforeRun?: () => void): Promise<boolean> {
  const against = stored ?? (await decoyHash());
  const [scheme, n, r, p, salt, hash] = against.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await passwordPool().derive({ password, salt: Buffer.from(salt, 'base64url'), keylen: expected.length, N: Number(n), r: Number(r), p: Number(p) }, beforeRun);
  return timingSafeEqual(key, expected) && stored !== undefined;
}

let decoy: Promise<string> | undefined;

/** A hash of a random password with the current parameters, checked against when the name is unknown. */
function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomSecret(32)).catch((err: unknown) => {
    decoy = undefined;
    throw err;
  });
  return decoy;
}

export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
