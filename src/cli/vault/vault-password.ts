import fs from 'node:fs/promises';
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
  if (!process.stdin.isTTY) {
    throw new UserError('no password: set COFFER_VAULT_PASSWORD, pass --password-file, or run on a terminal');
  }
  const first = await promptHidden(purpose.prompt ?? 'vault password: ');
  if (purpose.confirm) {
    const second = await promptHidden('repeat the password: ');
    if (first !== second) throw new UserError('the passwords do not match');
  }
  return first;
}

/** Reads one line from the terminal without echoing it. */
export function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  let value = '';
  return new Promise((resolve, reject) => {
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new Error('password prompt interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
