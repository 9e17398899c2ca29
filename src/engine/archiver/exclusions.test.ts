import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalBackend } from '../backend/local-backend.js';
import { VaultError } from '../errors.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { initVault } from '../vault/vault.js';
import { BackupFilter } from './backup-filter.js';
import { compilePattern, exclusionProblem, parseSize, patternProblem, type Exclusion } from './exclusion.js';

const SIGNATURE = 'Signature: 8a477f597d28d172789f06886806bc55';

/** Every regular file below `root`, relative, sorted. */
function filesBelow(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else out.push(path.relative(root, full));
    }
  };
  visit(root);
  return out.sort();
}

function write(root: string, rel: string, data: string | Buffer = rel): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), data);
}

async function backUpAndRestore(dir: string, src: string, exclusions: Exclusion[]) {
  const vault = await initVault(new LocalBackend(path.join(dir, 'vault')), 'pw', { scrypt: TEST_SCRYPT });
  const backup = await vault.backup({ paths: [src], exclusions });
  const out = path.join(dir, 'out');
  const restored = await vault.restore({ snapshot: backup.snapshotId, target: out });
  await vault.close();
  assert.deepEqual(backup.errors, []);
  assert.deepEqual(restored.errors, []);
  const back = path.join(out, src);
  for (const rel of filesBelow(back)) assert.deepEqual(fs.readFileSync(path.join(back, rel)), fs.readFileSync(path.join(src, rel)), `${rel} byte for byte`);
  return { backup, files: filesBelow(back), back };
}

describe('exclusion patterns', { timeout: 60_000 }, () => {
  it('matches like restic: unanchored at any depth, anchored from the root, ** across directories', () => {
    assert.equal(compilePattern('*.log')('/var/log/app.log'), true);
    assert.equal(compilePattern('*.log')('/var/log/app.log.1'), false);
    assert.equal(compilePattern('*.log')('/var/log/.hidden.log'), true, '* matches dot files too');
    assert.equal(compilePattern('**/node_modules')('/srv/app/node_modules'), true);
    assert.equal(compilePattern('node_modules')('/srv/a/b/node_modules'), true);
    assert.equal(compilePattern('/srv/www/cache/**')('/srv/www/cache/a/b'), true);
    assert.equal(compilePattern('/srv/www/cache/**')('/home/srv/www/cache/a'), false, 'an anchored pattern starts at the root');
    assert.equal(compilePattern('cache/*.tmp')('/x/cache/a.tmp'), true);
    assert.equal(compilePattern('*.LOG')('/a/b.log'), false);
    assert.equal(compilePattern('*.LOG', true)('/a/b.log'), true);
    assert.equal(compilePattern('!keep')('/a/b'), false, 'a leading ! is not a negation');
    assert.equal(compilePattern('*')('/'), false, 'the root is never excluded by a pattern');
  });

  it('refuses patterns that are not usable, naming the problem', () => {
    assert.match(patternProblem('[abc')!, /not a valid glob/);
    assert.match(patternProblem('{a,b')!, /not a valid glob/);
    assert.match(patternProblem('')!, /is empty/);
    assert.match(patternProblem('a/../b')!, /"\." or "\.\." component/);
    assert.match(patternProblem('a\\')!, /lone backslash/);
    assert.equal(patternProblem('a\\\\'), undefined);
    assert.equal(patternProblem('**/*.{jpg,png}'), undefined);
    assert.deepEqual(exclusionProblem({ type: 'pattern', path: '[x' })?.field, 'path');
    assert.deepEqual(exclusionProblem({ type: 'pattern', path: '*.x', ignore_case: 'yes' })?.field, 'ignore_case');
    assert.deepEqual(exclusionProblem({ type: 'if_present', path: 'a/b' })?.field, 'path');
    assert.deepEqual(exclusionProblem({ type: 'larger_than', size: 0 })?.field, 'size');
    assert.deepEqual(exclusionProblem({ type: 'larger_than', size: 1.5 })?.field, 'size');
    assert.deepEqual(exclusionProblem({ type: 'regex', path: 'x' })?.field, 'type');
    assert.equal(exclusionProblem({ type: 'caches' }), undefined);
    assert.throws(
      () => new BackupFilter([{ type: 'pattern', path: '[x' }]),
      (err: unknown) => err instanceof VaultError && err.code === 'INVALID_ARGUMENT',
    );
  });

  it('reads sizes with binary units', () => {
    assert.equal(parseSize('500'), 500);
    assert.equal(parseSize('512K'), 512 * 1024);
    assert.equal(parseSize('10M'), 10 * 1024 ** 2);
    assert.equal(parseSize('1.5GiB'), 1.5 * 1024 ** 3);
    assert.equal(parseSize('0'), undefined);
    assert.equal(parseSize('ten'), undefined);
  });

  it('leaves out what the patterns, markers, cache tags and size limit say, and backs up the rest byte for byte', async () => {
    await withTempDir('exclusions', async (dir) => {
      const src = path.join(dir, 'src');
      write(src, 'keep.txt');
      write(src, 'app.log');
      write(src, 'deep/er/trace.log');
      write(src, 'deep/er/KEEP.TXT');
      write(src, 'deep/er/SHOUT.TMP');
      write(src, 'web/node_modules/pkg/index.js');
      write(src, 'web/index.html');
      write(src, 'web/cache/page-1.html');
      write(src, 'web/cache-keep/page.html');
      write(src, 'private/.nobackup', '');
      write(src, 'private/secret.txt');
      write(src, 'build/CACHEDIR.TAG', `${SIGNATURE}\n# made by a build tool\n`);
      write(src, 'build/object.o');
      write(src, 'fake-cache/CACHEDIR.TAG', 'Signature: not the right one');
      write(src, 'fake-cache/data.bin');
      write(src, 'big.iso', Buffer.alloc(200_000, 7));
      write(src, 'exactly.bin', Buffer.alloc(100_000, 8));

      const { files, backup } = await backUpAndRestore(dir, src, [
        { type: 'pattern', path: '*.log' },
        { type: 'pattern', path: '**/node_modules' },
        { type: 'pattern', path: `${src}/web/cache/**` },
        { type: 'pattern', path: '*.tmp', ignore_case: true },
        { type: 'if_present', path: '.nobackup' },
        { type: 'caches' },
        { type: 'larger_than', size: 100_000 },
      ]);
      assert.deepEqual(files, ['deep/er/KEEP.TXT', 'exactly.bin', 'fake-cache/CACHEDIR.TAG', 'fake-cache/data.bin', 'keep.txt', 'web/cache-keep/page.html', 'web/index.html']);
      assert.equal(backup.totalFiles, 7);
    });
  });

  it('stays on the file system of the backup root, keeping mount points empty', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('mounting a file system needs root');
    await withTempDir('one-fs', async (dir) => {
      const src = path.join(dir, 'src');
      write(src, 'here.txt');
      fs.mkdirSync(path.join(src, 'mnt'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(src, 'mnt')]);
      try {
        write(src, 'mnt/elsewhere.txt');
        const { files, back } = await backUpAndRestore(dir, src, [{ type: 'other_file_systems' }]);
        assert.deepEqual(files, ['here.txt']);
        assert.ok(fs.statSync(path.join(back, 'mnt')).isDirectory(), 'the mount point itself is kept');
        fs.rmSync(path.join(dir, 'vault'), { recursive: true });
        fs.rmSync(path.join(dir, 'out'), { recursive: true });
        const crossing = await backUpAndRestore(dir, src, []);
        assert.deepEqual(crossing.files, ['here.txt', 'mnt/elsewhere.txt'], 'without the exclusion the walk crosses into it');
      } finally {
        execFileSync('umount', [path.join(src, 'mnt')]);
      }
    });
  });
});
