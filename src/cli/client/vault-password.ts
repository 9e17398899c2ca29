import { constants, publicEncrypt } from 'node:crypto';
import { rsaPublicKey, type RsaPublicNumbers } from '../../engine/crypto/rsa-envelope.js';
import { secretFor } from './prompt.js';

/** The agent's registered key: hex modulus and exponent. */
export type AgentPublicKey = RsaPublicNumbers;

/**
 * A vault password as the API carries it: encrypted with the agent's registered RSA key (OAEP), hex-encoded, so the
 * server only ever holds what that agent alone can read.
 */
export function encryptPasswordForAgent(key: AgentPublicKey, password: string): string {
  return publicEncrypt({ key: rsaPublicKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from(password, 'utf8')).toString('hex');
}

/** A vault password from the environment variable `variable`, else asked for on the terminal. */
export function vaultPassword(question: string, variable = 'COFFER_VAULT_PASSWORD', env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return secretFor(variable, question, env);
}
