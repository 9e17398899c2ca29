// bin/coffer.js as users start it: --version and --help answered at once (from the built program's own help),
// and the machine's older node (when there is one) handing over to the pinned Node 24.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from './run-coffer.js';

const BIN = path.join(REPO_ROOT, 'bin', 'coffer.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** The machine's own node, when it is older than the one the tests run on. */
const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((candidate) => {
  if (!fs.existsSync(candidate)) return false;
  return execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim() !== process.version;
});

const run = (node: string, args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(node, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

describe('coffer start-up', { timeout: 60_000 }, () => {
  // A copy of a small real vault: commands may take locks in it.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-startup-'));
  const vault = path.join(work, 'vault');
  fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'brotli-vault', 'vault'), vault, { recursive: true });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('prints the version, and the same help as the program builds', () => {
    for (const flag of ['--version', '-V']) assert.equal(run(process.execPath, [flag]).stdout, `${VERSION}\n`);
    const quick = run(process.execPath, ['--help']);
    assert.equal(quick.status, 0);
    const full = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'main.js'), '--help'], { encoding: 'utf8' });
    assert.equal(quick.stdout, full.stdout, 'dist/help.txt is what the program prints (run npm run build)');
    assert.match(quick.stdout, /vault/);
  });

  it('prints an expected user error as one plain line', () => {
    const missing = run(process.execPath, ['vault', 'snapshots', '--repo', vault], { COFFER_VAULT_PASSWORD: '' });
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, 'coffer vault: no password: set COFFER_VAULT_PASSWORD, pass --password-file, or run on a terminal\n');
  });

  it('runs on the pinned Node 24 when an older node starts it', { skip: systemNode ? false : 'no older node on this machine' }, () => {
    const viaOld = run(systemNode!, ['vault', 'snapshots', '--json', '--repo', vault], {
      COFFER_VAULT_PASSWORD: 'brotli-fixture',
    });
    assert.equal(viaOld.status, 0, viaOld.stderr);
    assert.equal((JSON.parse(viaOld.stdout) as unknown[]).length, 1);
  });
});
