import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { promptHidden } from './prompt.js';

export interface AgentPublicKey {
  /** Hex modulus, as the agent registered it. */
  modulus: string;
  /** The public exponent as an integer (65537), or its decimal text. */
  exponent: number | string;
}

function exponentBytes(exponent: number | string): Buffer {
  let value = BigInt(exponent);
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  return Buffer.from(bytes.length > 0 ? bytes : [0]);
}

/**
 * A vault password as the API carries it: encrypted with the agent's registered RSA key (OAEP), hex-encoded, so the
 * server only ever holds what that agent alone can read.
 */
export function encryptPasswordForAgent(key: AgentPublicKey, password: string): string {
  const publicKey = createPublicKey({
    key: { kty: 'RSA', n: Buffer.from(key.modulus.replace(/\s+/g, ''), 'hex').toString('base64url'), e: exponentBytes(key.exponent).toString('base64url') },
    format: 'jwk',
  });
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from(password, 'utf8')).toString('hex');
}

/** The vault password from COFFER_VAULT_PASSWORD, else asked for on the terminal. */
export async function vaultPassword(question: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.COFFER_VAULT_PASSWORD !== undefined && env.COFFER_VAULT_PASSWORD !== '') return env.COFFER_VAULT_PASSWORD;
  return promptHidden(question);
}
