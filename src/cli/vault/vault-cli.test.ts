import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { flipByte } from '../../../test/helpers/indexing.js';

/** The whole `coffer` program, as users run it (from source). */
const MAIN = fileURLToPath(new URL('../../main.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'vault', ...args], {
      env: { ...process.env, COFFER_VAULT_PASSWORD: 'cli-secret', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('coffer vault command line', () => {
  it('runs init, backup, snapshots, ls, restore, check and stats, with one-line errors and exit codes', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coffer-cli-'));
    try {
      const repo = path.join(dir, 'vault');
      const src = path.join(dir, 'src');
      await fs.mkdir(path.join(src, 'sub'), { recursive: true });
      await fs.writeFile(path.join(src, 'a.txt'), 'alpha');
      await fs.writeFile(path.join(src, 'sub', 'b.bin'), randomBytes(50_000));

      const init = await cli(['init', '--repo', repo]);
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /created vault [0-9a-f]{32}/);

      const backup = await cli(['backup', '--repo', repo, '--json', src]);
      assert.equal(backup.code, 0, backup.stderr);
      const summary = JSON.parse(backup.stdout) as { snapshotId: number; filesNew: number };
      assert.equal(summary.filesNew, 2);

      const snapshots = JSON.parse((await cli(['snapshots', '--repo', repo, '--json'])).stdout) as Array<{ id: number }>;
      assert.deepEqual(
        snapshots.map((s) => s.id),
        [summary.snapshotId],
      );

      const ls = await cli(['ls', '--repo', repo, String(summary.snapshotId), src, '--recursive']);
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, /sub\/b\.bin/);

      const target = path.join(dir, 'out');
      const restore = await cli(['restore', String(summary.snapshotId), '--repo', repo, '--target', target]);
      assert.equal(restore.code, 0, restore.stderr);
      assert.equal(await fs.readFile(path.join(target, src, 'a.txt'), 'utf8'), 'alpha');

      const check = await cli(['check', '--repo', repo, '--read-data']);
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stdout, /no errors found/);
      assert.equal((await cli(['stats', '--repo', repo])).code, 0);

      const wrong = await cli(['snapshots', '--repo', repo], { COFFER_VAULT_PASSWORD: 'nope' });
      assert.equal(wrong.code, 12);
      assert.equal(wrong.stderr.trim().split('\n').length, 1, `one line: ${wrong.stderr}`);
      assert.match(wrong.stderr, /^coffer vault: wrong password/);

      const missing = await cli(['snapshots', '--repo', path.join(dir, 'nothing')]);
      assert.equal(missing.code, 10);
      assert.match(missing.stderr, /^coffer vault: no vault at /);

      const badSnapshot = await cli(['restore', '424242', '--repo', repo, '--target', target]);
      assert.equal(badSnapshot.code, 1);
      assert.equal(badSnapshot.stderr.trim(), 'coffer vault: no snapshot 424242 in this vault');

      const passwordFile = path.join(dir, 'pw');
      await fs.writeFile(passwordFile, 'cli-secret\n');
      const viaFile = await cli(['snapshots', '--repo', repo, '--password-file', passwordFile], { COFFER_VAULT_PASSWORD: '' });
      assert.equal(viaFile.code, 0, viaFile.stderr);

      // A flipped byte: check fails, restore reports the file and exits 3, without a stack trace.
      // The data pack is the large one (b.bin is random); trees are packed separately.
      const packs = (await fs.readdir(path.join(repo, 'data'), { recursive: true })).filter((p) => p.includes('/'));
      const sized = await Promise.all(packs.map(async (p) => ({ p, size: (await fs.stat(path.join(repo, 'data', p))).size })));
      const packPath = path.join(repo, 'data', sized.sort((a, b) => b.size - a.size)[0]!.p);
      const bytes = await fs.readFile(packPath);
      flipByte(bytes, 30);
      await fs.writeFile(packPath, bytes);
      const damaged = await cli(['check', '--repo', repo, '--read-data']);
      assert.equal(damaged.code, 1);
      assert.match(damaged.stderr, /error: pack/);
      // The pack's hash and the blob inside it: two errors, counted as printed.
      assert.equal(
        damaged.stderr
          .trim()
          .split('\n')
          .filter((line) => line.startsWith('error: ')).length,
        2,
        damaged.stderr,
      );
      assert.match(damaged.stdout, /^2 errors found$/m);
      const restore2 = await cli(['restore', 'latest', '--repo', repo, '--target', path.join(dir, 'out2')]);
      assert.equal(restore2.code, 3, restore2.stderr);
      assert.match(restore2.stderr, /error: .*sub\/b\.bin: .*(authentication|damaged)/);
      assert.match(restore2.stdout, /^1 item could not be restored$/m);
      assert.doesNotMatch(restore2.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
