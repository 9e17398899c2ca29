import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What `coffer login` keeps between commands. */
export interface Session {
  api: string;
  user: string;
  project: string;
  token: string;
  /** ISO time the token stops working. */
  expires: string;
  roles: string[];
}

export function configDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'coffer');
}

export function sessionFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDirectory(env), 'cli.json');
}

export function readSession(env: NodeJS.ProcessEnv = process.env): Session | undefined {
  let text: string;
  try {
    text = fs.readFileSync(sessionFile(env), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as Partial<Session>;
  if (!parsed.api || !parsed.token) return undefined;
  return { api: parsed.api, user: parsed.user ?? '', project: parsed.project ?? '', token: parsed.token, expires: parsed.expires ?? '', roles: parsed.roles ?? [] };
}

/** Written with mode 0600 (and the directory 0700): the token is as good as the password until it expires. */
export function writeSession(session: Session, env: NodeJS.ProcessEnv = process.env): string {
  const file = sessionFile(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
  return file;
}

export function removeSession(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    fs.unlinkSync(sessionFile(env));
    return true;
  } catch {
    return false;
  }
}
