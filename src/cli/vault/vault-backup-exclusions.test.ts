import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../main.ts', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'vault', ...args], { env: { ...process.env, COFFER_VAULT_PASSWORD: 'flags' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('coffer vault backup exclusion flags', { timeout: 120_000 }, () => {
  it('--exclude, --iexclude, --exclude-file, --exclude-if-present, --exclude-caches and --exclude-larger-than leave out what they say; a bad pattern is a usage error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-cli-exclude-'));
    try {
      const repo = path.join(dir, 'vault');
      const src = path.join(dir, 'src');
      const files: Record<string, string | Buffer> = {
        'keep.txt': 'keep',
        'app.log': 'log',
        'sub/DEBUG.TXT': 'debug',
        'sub/notes.txt': 'notes',
        'web/node_modules/x.js': 'x',
        'obj/main.o': 'object',
        'private/.nobackup': '',
        'private/key.pem': 'secret',
        'cache/CACHEDIR.TAG': 'Signature: 8a477f597d28d172789f06886806bc55',
        'cache/blob': 'cached',
        'big.iso': Buffer.alloc(3000, 1),
      };
      for (const [rel, data] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
        fs.writeFileSync(path.join(src, rel), data);
      }
      const patterns = path.join(dir, 'patterns.txt');
      fs.writeFileSync(patterns, '# objects\n*.o\n');
      assert.equal((await cli(['init', '--repo', repo])).code, 0);

      const bad = await cli(['backup', '--repo', repo, '--exclude', '[unclosed', src]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /--exclude \[unclosed: is not a valid glob/);

      const backup = await cli([
        'backup',
        '--repo',
        repo,
        '--json',
        src,
        '--exclude',
        '*.log',
        '--exclude',
        '**/node_modules',
        '--iexclude',
        'debug.txt',
        '--exclude-file',
        patterns,
        '--exclude-if-present',
        '.nobackup',
        '--exclude-caches',
        '--exclude-larger-than',
        '2K',
      ]);
      assert.equal(backup.code, 0, backup.stderr);
      const summary = JSON.parse(backup.stdout) as { snapshotId: number; totalFiles: number };
      assert.equal(summary.totalFiles, 2);
      const out = path.join(dir, 'out');
      const restore = await cli(['restore', '--repo', repo, String(summary.snapshotId), '--target', out]);
      assert.equal(restore.code, 0, restore.stderr);
      const restored = fs
        .readdirSync(path.join(out, src), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(path.join(out, src), path.join(e.parentPath, e.name)));
      assert.deepEqual(restored.sort(), ['keep.txt', 'sub/notes.txt']);
      for (const rel of restored) assert.equal(fs.readFileSync(path.join(out, src, rel), 'utf8'), files[rel]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
