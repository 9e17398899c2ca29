import fs from 'node:fs/promises';
import { promptHidden } from '../../terminal/hidden-prompt.js';
import { UserError } from './vault-errors.js';

export interface PasswordOptions {
  passwordFile?: string;
}

/** The vault password from --password-file, COFFER_VAULT_PASSWORD, or a prompt on the terminal, in that order. */
export async function readPassword(options: PasswordOptions, purpose: { confirm?: boolean; prompt?: string } = {}): Promise<string> {
  if (options.passwordFile) {
    const content = await fs.readFile(options.passwordFile, 'utf8');
    return content.replace(/\r?\n$/, '');
  }
  const fromEnv = process.env.COFFER_VAULT_PASSWORD;
  if (fromEnv) return fromEnv;
  const noTerminal = 'no password: set COFFER_VAULT_PASSWORD, pass --password-file, or run on a terminal';
  if (!process.stdin.isTTY) throw new UserError(noTerminal);
  const first = await promptHidden(purpose.prompt ?? 'vault password: ', noTerminal);
  if (purpose.confirm) {
    const second = await promptHidden('repeat the password: ', noTerminal);
    if (first !== second) throw new UserError('the passwords do not match');
  }
  return first;
}
