import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { measure, type Measurement } from './measure.js';

const run = promisify(execFile);
const PASSWORD = 'bench-password';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One backup program under test, driven through its command line the way a user would. */
export interface BackupTool {
  name: string;
  version(): Promise<string | undefined>;
  init(repo: string): Promise<void>;
  backup(repo: string, tree: string, n: number): Promise<Measurement>;
  restore(repo: string, target: string, n: number): Promise<Measurement>;
}

export const coffer: BackupTool = {
  name: 'coffer',
  async version() {
    return 'working tree';
  },
  async init(repo) {
    await run(process.execPath, [...cofferCli(), 'init', '--repo', repo], { env: { ...process.env, COFFER_VAULT_PASSWORD: PASSWORD } });
  },
  backup(repo, tree) {
    return measure([process.execPath, ...cofferCli(), 'backup', '--repo', repo, tree], { env: { COFFER_VAULT_PASSWORD: PASSWORD } });
  },
  restore(repo, target) {
    return measure([process.execPath, ...cofferCli(), 'restore', 'latest', '--repo', repo, '--target', target], { env: { COFFER_VAULT_PASSWORD: PASSWORD } });
  },
};

/** `coffer vault …` as users run it: bin/coffer.js with the built program (npm run bench:engine builds it first). */
function cofferCli(): string[] {
  return [path.join(ROOT, 'bin', 'coffer.js'), 'vault'];
}

export const restic: BackupTool = {
  name: 'restic',
  async version() {
    return (await run('restic', ['version']).catch(() => undefined))?.stdout.trim();
  },
  async init(repo) {
    await run('restic', ['init', '--repo', repo], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD } });
  },
  backup(repo, tree) {
    return measure(['restic', '--repo', repo, 'backup', '--host', 'bench', '--quiet', tree], { env: { RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: `${repo}-cache` } });
  },
  restore(repo, target) {
    return measure(['restic', '--repo', repo, 'restore', 'latest', '--quiet', '--target', target], { env: { RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: `${repo}-cache` } });
  },
};

export const borg: BackupTool = {
  name: 'borg (lz4)',
  async version() {
    return (await run('borg', ['--version']).catch(() => undefined))?.stdout.trim();
  },
  async init(repo) {
    await run('borg', ['init', '--encryption=repokey-blake2', repo], { env: borgEnv(repo) });
  },
  backup(repo, tree, n) {
    return measure(['borg', 'create', '--compression', 'lz4', `${repo}::snap${n}`, tree], { env: borgEnv(repo) });
  },
  async restore(repo, target, n) {
    await fs.mkdir(target, { recursive: true });
    return measure(['borg', 'extract', `${repo}::snap${n}`], { env: borgEnv(repo), cwd: target });
  },
};

function borgEnv(repo: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BORG_PASSPHRASE: PASSWORD,
    BORG_BASE_DIR: `${repo}-home`,
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
  };
}

/** Installs restic and borg with apt when missing; a peer that cannot be installed is skipped. */
export async function ensureInstalled(tool: BackupTool): Promise<boolean> {
  if (tool === coffer) return true;
  if (await tool.version()) return true;
  const pkg = tool === restic ? 'restic' : 'borgbackup';
  process.stderr.write(`installing ${pkg}…\n`);
  await run('apt-get', ['install', '-y', pkg]).catch(() => undefined);
  return (await tool.version()) !== undefined;
}
