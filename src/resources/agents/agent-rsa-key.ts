import type { KeyObject } from 'node:crypto';
import { MIN_RSA_BITS, rsaKeyBits, rsaPublicKey } from '../../engine/crypto/rsa-envelope.js';
import { conflict } from '../../errors/app-error.js';
import type { Agent } from './agent.js';

/**
 * The agent's registered RSA key, for sealing a secret (a vault key, a password) that only this agent may read.
 * A key the server cannot parse or one under 2048 bits is refused: a secret sealed for it would be weakly kept.
 */
export function agentKeyForSecrets(agent: Agent): KeyObject {
  let key: KeyObject;
  try {
    key = rsaPublicKey(agent.rsaPublicKey);
  } catch {
    throw conflict(`Agent ${agent.id} registered an RSA public key that is not valid; register the agent again.`);
  }
  const bits = rsaKeyBits(key);
  if (bits < MIN_RSA_BITS) {
    throw conflict(`Agent ${agent.id} registered a ${bits}-bit RSA key; secrets are sealed only for keys of at least ${MIN_RSA_BITS} bits. Register the agent again with a stronger key.`);
  }
  return key;
}
