import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalBackend } from '../backend/local-backend.js';
import { writeCraftedSnapshot } from '../testing/crafted-vault.js';
import { describeOutside } from '../testing/outside-watch.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { initVault } from '../vault/vault.js';
import { deviceNumbers } from './special-file.js';

const isRoot = process.getuid?.() === 0;

describe('file metadata: hard links, FIFOs, sockets, devices and times', { timeout: 60_000 }, () => {
  it('restores hard links as hard links (link count 3 stays 3), also from an incremental snapshot', async () => {
    await withTempDir('hardlinks', async (dir) => {
      const src = path.join(dir, 'src');
      fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(src, 'a'), 'shared content');
      fs.linkSync(path.join(src, 'a'), path.join(src, 'sub', 'b'));
      fs.linkSync(path.join(src, 'a'), path.join(src, 'c'));
      fs.writeFileSync(path.join(src, 'single'), 'alone');
      const vault = await initVault(new LocalBackend(path.join(dir, 'vault')), 'pw', { scrypt: TEST_SCRYPT });
      const first = await vault.backup({ paths: [src] });
      const second = await vault.backup({ paths: [src] });
      assert.equal(second.filesUnmodified, 4);
      for (const snapshot of [first.snapshotId, second.snapshotId]) {
        const out = path.join(dir, `out-${snapshot}`);
        const summary = await vault.restore({ snapshot, target: out });
        assert.deepEqual(summary.errors, []);
        assert.equal(summary.filesRestored, 2);
        assert.equal(summary.hardLinksRestored, 2);
        const names = ['a', 'sub/b', 'c'].map((rel) => path.join(out, src, rel));
        const stats = names.map((p) => fs.statSync(p));
        assert.deepEqual(
          stats.map((s) => s.nlink),
          [3, 3, 3],
        );
        assert.equal(new Set(stats.map((s) => s.ino)).size, 1, 'one inode behind the three names');
        for (const p of names) assert.equal(fs.readFileSync(p, 'utf8'), 'shared content');
        assert.equal(fs.statSync(path.join(out, src, 'single')).nlink, 1);
      }
      await vault.close();
    });
  });

  it('records FIFOs and device nodes and recreates them; a socket is reported by name, not dropped silently', async () => {
    await withTempDir('specials', async (dir) => {
      const src = path.join(dir, 'src');
      fs.mkdirSync(src);
      execFileSync('mknod', ['-m', '0640', path.join(src, 'pipe'), 'p']);
      if (isRoot) execFileSync('mknod', ['-m', '0600', path.join(src, 'null-like'), 'c', '1', '3']);
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(path.join(src, 'sock'), resolve));
      try {
        const vault = await initVault(new LocalBackend(path.join(dir, 'vault')), 'pw', { scrypt: TEST_SCRYPT });
        const backup = await vault.backup({ paths: [src] });
        assert.deepEqual(backup.errors, []);
        const listed = new Map((await vault.ls(backup.snapshotId, src)).map((e) => [e.name, e.type]));
        assert.equal(listed.get('pipe'), 'fifo');
        assert.equal(listed.get('sock'), 'socket');
        const out = path.join(dir, 'out');
        const summary = await vault.restore({ snapshot: backup.snapshotId, target: out });
        assert.deepEqual(
          summary.errors.map((e) => [e.path, e.reason]),
          [[path.join(src, 'sock'), 'not restored: a socket is not recreated: it exists only while a program listens on it']],
        );
        const pipe = fs.lstatSync(path.join(out, src, 'pipe'), { bigint: true });
        assert.ok(pipe.isFIFO());
        assert.equal(pipe.mode & 0o7777n, 0o640n);
        // Node sets times from a double: within a microsecond, as the next test holds for files (a cut at whole
        // microseconds would fail when the two sit either side of one).
        const pipeDiff = pipe.mtimeNs - fs.lstatSync(path.join(src, 'pipe'), { bigint: true }).mtimeNs;
        assert.ok(pipeDiff > -1000n && pipeDiff < 1000n, `mtime within a microsecond: ${pipeDiff} ns apart`);
        if (isRoot) {
          const node = fs.lstatSync(path.join(out, src, 'null-like'));
          assert.ok(node.isCharacterDevice());
          assert.equal(node.rdev, fs.lstatSync(path.join(src, 'null-like')).rdev);
          assert.equal(summary.specialFilesRestored, 2);
        }
        assert.deepEqual(
          fs.readdirSync(path.join(out, src)).filter((n) => n.startsWith('.coffer-restore')),
          [],
          'no temporary names left',
        );
        await vault.close();
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  it('stores times to the nanosecond and restores them as finely as Node can set them (under a microsecond)', async () => {
    await withTempDir('times', async (dir) => {
      const src = path.join(dir, 'src');
      fs.mkdirSync(path.join(src, 'd'), { recursive: true });
      fs.writeFileSync(path.join(src, 'd', 'f'), 'x');
      fs.symlinkSync('f', path.join(src, 'd', 'l'));
      const vault = await initVault(new LocalBackend(path.join(dir, 'vault')), 'pw', { scrypt: TEST_SCRYPT });
      const backup = await vault.backup({ paths: [src] });
      const out = path.join(dir, 'out');
      await vault.restore({ snapshot: backup.snapshotId, target: out });
      for (const rel of ['d', 'd/f', 'd/l']) {
        const before = fs.lstatSync(path.join(src, rel), { bigint: true }).mtimeNs;
        const after = fs.lstatSync(path.join(out, src, rel), { bigint: true }).mtimeNs;
        const diff = before > after ? before - after : after - before;
        assert.ok(diff < 1000n, `${rel}: ${before} vs ${after}`);
      }
      await vault.close();
    });
  });

  it('decodes device numbers the way Linux encodes them', () => {
    assert.deepEqual(deviceNumbers(String((1 << 8) | 3)), { major: 1n, minor: 3n });
    // major 259, minor 1048575: both spill into the high bits
    const rdev = ((259n & 0xfffn) << 8n) | ((259n & ~0xfffn) << 32n) | (1048575n & 0xffn) | ((1048575n & ~0xffn) << 12n);
    assert.deepEqual(deviceNumbers(rdev.toString()), { major: 259n, minor: 1048575n });
  });
});

/** `getfattr` of every attribute (ACLs and capabilities included), from the attr package: what the system says. */
function attributes(p: string): string {
  return execFileSync('getfattr', ['--absolute-names', '--no-dereference', '--dump', '--match=-', '--encoding=hex', p], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('='))
    .join('\n');
}

describe('extended attributes, ACLs and file capabilities', { timeout: 60_000 }, () => {
  it('are stored and restored on files and directories; a default ACL does not leak into the children', async () => {
    await withTempDir('xattrs', async (dir) => {
      const src = path.join(dir, 'src');
      fs.mkdirSync(path.join(src, 'shared'), { recursive: true });
      fs.writeFileSync(path.join(src, 'tagged'), 'tagged');
      fs.writeFileSync(path.join(src, 'plain'), 'plain');
      fs.writeFileSync(path.join(src, 'tool'), 'a binary');
      fs.writeFileSync(path.join(src, 'shared', 'own-acl'), 'x'.repeat(3 * 1024 * 1024));
      fs.writeFileSync(path.join(src, 'shared', 'plain-child'), 'made before the default ACL');
      execFileSync('setfattr', ['-n', 'user.comment', '-v', 'checked by hand', path.join(src, 'tagged')]);
      execFileSync('setfattr', ['-n', 'user.bin', '-v', '0x00ff10', path.join(src, 'tagged')]);
      execFileSync('setfacl', ['-m', 'u:nobody:r', path.join(src, 'shared', 'own-acl')]);
      execFileSync('setfacl', ['-d', '-m', 'u:nobody:rx', path.join(src, 'shared')]);
      if (isRoot) execFileSync('setcap', ['cap_net_raw+ep', path.join(src, 'tool')]);
      const vault = await initVault(new LocalBackend(path.join(dir, 'vault')), 'pw', { scrypt: TEST_SCRYPT });
      const backup = await vault.backup({ paths: [src] });
      assert.deepEqual(backup.errors, []);
      const out = path.join(dir, 'out');
      const summary = await vault.restore({ snapshot: backup.snapshotId, target: out });
      assert.deepEqual(summary.errors, []);
      for (const rel of ['tagged', 'plain', 'tool', 'shared', 'shared/own-acl', 'shared/plain-child']) {
        assert.equal(attributes(path.join(out, src, rel)), attributes(path.join(src, rel)), rel);
        if (rel !== 'shared') assert.deepEqual(fs.readFileSync(path.join(out, src, rel)), fs.readFileSync(path.join(src, rel)));
      }
      assert.match(attributes(path.join(out, src, 'tagged')), /user\.comment=0x636865636b65642062792068616e64/);
      assert.match(attributes(path.join(out, src, 'shared')), /system\.posix_acl_default=/);
      assert.match(attributes(path.join(out, src, 'shared/own-acl')), /system\.posix_acl_access=/);
      if (isRoot) assert.match(execFileSync('getcap', [path.join(out, src, 'tool')], { encoding: 'utf8' }), /cap_net_raw[=+]ep/);
      assert.equal(attributes(path.join(out, src, 'plain')), '');
      assert.equal(attributes(path.join(out, src, 'shared/plain-child')), '', 'the default ACL is set after the children are made');
      await vault.close();
    });
  });

  it('are reported per file where the target cannot keep them, and the files are still restored', async (t) => {
    if (!isRoot) return t.skip('mounting a file system without extended attributes needs root');
    await withTempDir('xattrs-unsupported', async (dir) => {
      const src = path.join(dir, 'src');
      fs.mkdirSync(src);
      fs.writeFileSync(path.join(src, 'tagged'), 'tagged');
      execFileSync('setfattr', ['-n', 'user.comment', '-v', 'kept', path.join(src, 'tagged')]);
      const vault = await initVault(new LocalBackend(path.join(dir, 'vault')), 'pw', { scrypt: TEST_SCRYPT });
      const backup = await vault.backup({ paths: [src] });
      const out = path.join(dir, 'out');
      fs.mkdirSync(out);
      execFileSync('mount', ['-t', 'ramfs', 'ramfs', out]);
      try {
        const summary = await vault.restore({ snapshot: backup.snapshotId, target: out });
        assert.deepEqual(
          summary.errors.map((e) => e.path),
          [path.join(src, 'tagged')],
        );
        assert.match(summary.errors[0]!.reason, /^extended attribute user\.comment not restored: .*not supported/i);
        assert.equal(fs.readFileSync(path.join(out, src, 'tagged'), 'utf8'), 'tagged');
        await vault.close();
      } finally {
        execFileSync('umount', [out]);
      }
    });
  });
});

describe('hard links from a hostile vault', { timeout: 60_000 }, () => {
  it('never links to a file that was in the target before (one linked to a file outside), only to files the restore wrote', async () => {
    await withTempDir('hostile-links', async (dir) => {
      const password = 'hostile-links';
      const target = path.join(dir, 'target');
      const outside = path.join(dir, 'outside');
      fs.mkdirSync(target);
      fs.mkdirSync(outside);
      fs.writeFileSync(path.join(outside, 'precious'), 'keep me');
      // What a local attacker prepared: a name in the target that is another name of a file outside it.
      fs.linkSync(path.join(outside, 'precious'), path.join(target, 'a'));
      const backend = new LocalBackend(path.join(dir, 'vault'));
      const vault = await initVault(backend, password, { scrypt: TEST_SCRYPT });
      const link = { links: 2, device: '1', inode: '77' };
      const snap = await writeCraftedSnapshot(backend, password, [
        { type: 'file', name: 'a', data: 'from the vault', extra: link },
        { type: 'file', name: 'b', data: 'b has its own data', extra: link },
        { type: 'file', name: 'c', data: 'written', extra: { links: 2, device: '1', inode: '78' } },
        { type: 'file', name: 'd', data: 'linked to c', extra: { links: 2, device: '1', inode: '78' } },
        { raw: { name: 'dir-links', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeNs: '0', ctimeNs: '0', inode: '1', size: 0, subtree: '0'.repeat(64), links: 2 } },
        { raw: { name: 'dev-no-rdev', type: 'chardev', mode: 0o600, uid: 0, gid: 0, mtimeNs: '0', ctimeNs: '0', inode: '2', size: 0 } },
        { raw: { name: 'fifo-data', type: 'fifo', mode: 0o600, uid: 0, gid: 0, mtimeNs: '0', ctimeNs: '0', inode: '3', size: 0, content: [] } },
        { raw: { name: 'xattr-ns', type: 'file', mode: 0o600, uid: 0, gid: 0, mtimeNs: '0', ctimeNs: '0', inode: '4', size: 0, content: [], xattrs: [{ name: 'bogus.x', value: 'AA==' }] } },
        {
          raw: {
            name: 'xattr-order',
            type: 'file',
            mode: 0o600,
            uid: 0,
            gid: 0,
            mtimeNs: '0',
            ctimeNs: '0',
            inode: '5',
            size: 0,
            content: [],
            xattrs: [
              { name: 'user.b', value: 'AA==' },
              { name: 'user.a', value: 'AA==' },
            ],
          },
        },
        { raw: { name: 'xattr-link', type: 'symlink', target: 'x', mode: 0o777, uid: 0, gid: 0, mtimeNs: '0', ctimeNs: '0', inode: '6', size: 0, xattrs: [{ name: 'user.a', value: 'AA==' }] } },
      ]);
      const before = describeOutside(outside);
      const summary = await vault.restore({ snapshot: snap.id, target });
      assert.deepEqual(describeOutside(outside), before, 'nothing outside was linked to or changed');
      assert.equal(fs.statSync(path.join(outside, 'precious')).nlink, 2, 'precious has only its own two names');
      assert.equal(fs.readFileSync(path.join(target, 'b'), 'utf8'), 'b has its own data');
      assert.equal(fs.statSync(path.join(target, 'b')).nlink, 1);
      assert.equal(fs.statSync(path.join(target, 'c')).ino, fs.statSync(path.join(target, 'd')).ino, 'names of a file the restore wrote are linked');
      assert.equal(summary.filesSkipped, 1);
      const reasons = new Map(summary.errors.map((e) => [e.path, e.reason]));
      assert.match(reasons.get('/dir-links')!, /link count/);
      assert.match(reasons.get('/dev-no-rdev')!, /rdev/);
      assert.match(reasons.get('/fifo-data')!, /a fifo has content/);
      assert.match(reasons.get('/xattr-ns')!, /extended attribute has a bad name/);
      assert.match(reasons.get('/xattr-order')!, /not sorted/);
      assert.match(reasons.get('/xattr-link')!, /only files and directories have extended attributes/);
      await vault.close();
    });
  });
});
