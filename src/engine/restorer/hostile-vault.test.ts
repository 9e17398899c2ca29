import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalBackend } from '../backend/local-backend.js';
import { writeCraftedSnapshot, CRAFTED_MTIME_S, type CraftedEntry } from '../testing/crafted-vault.js';
import { describeOutside } from '../testing/outside-watch.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { initVault } from '../vault/vault.js';
import { DirHandle } from './dir-handle.js';

const PASSWORD = 'hostile';

/** A vault, a target inside `box`, and a directory `outside` that symlinks in the snapshot point to. */
async function setUp(dir: string, entries: (outside: string) => CraftedEntry[]) {
  const box = path.join(dir, 'box');
  const target = path.join(box, 'target');
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(target, { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'precious'), 'keep me');
  const backend = new LocalBackend(path.join(dir, 'vault'));
  const vault = await initVault(backend, PASSWORD, { scrypt: TEST_SCRYPT });
  const snap = await writeCraftedSnapshot(backend, PASSWORD, entries(outside));
  const before = { box: describeOutside(box, [target]), outside: describeOutside(outside) };
  const unchanged = () => {
    assert.deepEqual(describeOutside(box, [target]), before.box, 'nothing next to the target was created or changed');
    assert.deepEqual(describeOutside(outside), before.outside, 'nothing behind a symlink was created or changed');
  };
  return { vault, snap, box, target, outside, unchanged };
}

const errorPaths = (errors: Array<{ path: string }>) => errors.map((e) => e.path).sort();

describe('restoring a hostile vault', { timeout: 60_000 }, () => {
  it('refuses names that are not one path component and repeated names, and writes nothing outside the target', async () => {
    await withTempDir('hostile', async (dir) => {
      const { vault, snap, target, outside, unchanged } = await setUp(dir, (outside) => [
        { type: 'dir', name: '..', mode: 0o777, entries: [{ type: 'file', name: 'escaped-dotdot', data: 'x', mode: 0o4777 }] },
        { type: 'symlink', name: 'a', target: outside },
        { type: 'file', name: 'a/b', data: 'through the link' },
        { type: 'symlink', name: 'dup', target: outside },
        { type: 'dir', name: 'dup', entries: [{ type: 'file', name: 'precious', data: 'overwritten' }] },
        { type: 'file', name: '', data: 'empty name' },
        { type: 'file', name: '.', data: 'dot' },
        { type: 'file', name: 'nul\0byte', data: 'nul' },
        { type: 'file', name: 'ok.txt', data: 'fine' },
        {
          type: 'dir',
          name: 'sub',
          entries: [
            { type: 'file', name: '../../escaped-deep', data: 'x' },
            { type: 'file', name: 'kept.txt', data: 'kept' },
          ],
        },
      ]);
      const summary = await vault.restore({ snapshot: snap.id, target });
      assert.deepEqual(errorPaths(summary.errors), ['/?', '/.', '/..', '/a/b', '/dup', '/dup', '/nul\\x00byte', '/sub/../../escaped-deep'].sort());
      for (const e of summary.errors) assert.match(e.reason, /^refused: .*not restored$/);
      assert.match(summary.errors.find((e) => e.path === '/..')!.reason, /the name "\.\." is not allowed/);
      assert.match(summary.errors.find((e) => e.path === '/dup')!.reason, /same name/);
      unchanged();
      assert.deepEqual(fs.readdirSync(target).sort(), ['a', 'ok.txt', 'sub']);
      assert.equal(fs.readlinkSync(path.join(target, 'a')), outside, 'a symlink is restored as data');
      assert.equal(fs.readFileSync(path.join(target, 'sub/kept.txt'), 'utf8'), 'kept');
      assert.equal(summary.filesRestored, 2);
      assert.equal(fs.existsSync(path.join(dir, 'escaped-deep')) || fs.existsSync(path.join(dir, 'box', 'escaped-dotdot')), false);

      const check = await vault.check();
      assert.equal(check.ok, false);
      assert.ok(
        check.errors.some((e) => /of \/: entry "\.\." is refused: the name "\.\." is not allowed/.test(e)),
        check.errors.join('\n'),
      );
      assert.ok(
        check.errors.some((e) => /of \/sub: entry "\.\.\/\.\.\/escaped-deep" is refused: the name contains "\/"/.test(e)),
        check.errors.join('\n'),
      );
      assert.deepEqual(
        (await vault.ls(snap.id, '/')).map((e) => e.name),
        ['a', 'ok.txt', 'sub'],
        'listings leave refused entries out',
      );
      await vault.close();
    });
  });

  it('does not follow a symlink already in the target, and replaces it only with overwrite', async () => {
    await withTempDir('hostile-existing', async (dir) => {
      const { vault, snap, target, outside, unchanged } = await setUp(dir, () => [
        {
          type: 'dir',
          name: 'dir',
          entries: [
            { type: 'file', name: 'file', data: 'restored' },
            { type: 'symlink', name: 'link', target: '/etc/passwd' },
          ],
        },
        { type: 'dir', name: 'kept', mode: 0o777, entries: [{ type: 'file', name: 'new.txt', data: 'new' }] },
        { type: 'file', name: 'linked-file', data: 'replaces the link, not its target' },
      ]);
      fs.symlinkSync(outside, path.join(target, 'dir'));
      fs.symlinkSync(path.join(outside, 'precious'), path.join(target, 'linked-file'));
      // An existing directory keeps its own mode, owner and times: the restore did not create it.
      fs.mkdirSync(path.join(target, 'kept'), { mode: 0o750 });
      fs.chmodSync(path.join(target, 'kept'), 0o750);
      fs.utimesSync(path.join(target, 'kept'), 1_000_000_000, 1_000_000_000);

      const first = await vault.restore({ snapshot: snap.id, target });
      assert.deepEqual(
        first.errors.map((e) => [e.path, e.reason]),
        [['/dir', 'exists and is a symlink (a restore does not follow symlinks)']],
      );
      unchanged();
      const kept = fs.statSync(path.join(target, 'kept'));
      assert.equal(kept.mode & 0o7777, 0o750);
      assert.notEqual(Math.floor(kept.mtimeMs / 1000), CRAFTED_MTIME_S, "the snapshot's times are not applied to an existing directory");
      assert.equal(fs.readFileSync(path.join(target, 'kept/new.txt'), 'utf8'), 'new');

      const second = await vault.restore({ snapshot: snap.id, target, overwrite: true });
      assert.deepEqual(second.errors, []);
      unchanged();
      assert.ok(fs.lstatSync(path.join(target, 'dir')).isDirectory(), 'the symlink was replaced by a real directory');
      assert.equal(fs.readFileSync(path.join(target, 'dir/file'), 'utf8'), 'restored');
      assert.equal(fs.readlinkSync(path.join(target, 'dir/link')), '/etc/passwd');
      assert.ok(fs.lstatSync(path.join(target, 'linked-file')).isFile());
      assert.equal(fs.readFileSync(path.join(target, 'linked-file'), 'utf8'), 'replaces the link, not its target');
      assert.equal(Math.floor(fs.statSync(path.join(target, 'dir')).mtimeMs / 1000), CRAFTED_MTIME_S);
      await vault.close();
    });
  });

  it('refuses entries whose fields lie', async () => {
    await withTempDir('hostile-fields', async (dir) => {
      const base = { uid: 0, gid: 0, mtimeNs: '0', ctimeNs: '0', inode: '1', size: 0 };
      const { vault, snap, target, unchanged } = await setUp(dir, () => [
        { type: 'file', name: 'short', data: 'eleven byte', size: 5 },
        { type: 'file', name: 'long', data: 'x', size: 1 << 30 },
        { raw: { ...base, name: 'door', type: 'door', mode: 0o644 } },
        { raw: { ...base, name: 'big-mode', type: 'file', mode: 0o100644, content: [] } },
        { raw: { ...base, name: 'no-tree', type: 'dir', mode: 0o755 } },
        { raw: { ...base, name: 'bad-time', type: 'file', mode: 0o644, mtimeNs: '1e9', content: [] } },
        { raw: { ...base, name: 'link-nul', type: 'symlink', mode: 0o777, target: 'a\0b' } },
        { raw: { ...base, name: 'x', nameB64: Buffer.from('..').toString('base64'), type: 'file', mode: 0o644, content: [] } },
        { raw: { ...base, name: 'neg-uid', type: 'file', mode: 0o644, uid: -1, content: [] } },
        { type: 'file', name: 'fine', data: 'fine' },
      ]);
      const summary = await vault.restore({ snapshot: snap.id, target });
      const reasons = new Map(summary.errors.map((e) => [e.path, e.reason]));
      assert.deepEqual([...reasons.keys()].sort(), ['/bad-time', '/big-mode', '/door', '/link-nul', '/long', '/neg-uid', '/no-tree', '/short', '/x'].sort());
      assert.match(reasons.get('/short')!, /adds up to 11 bytes, its entry says 5/);
      assert.match(reasons.get('/x')!, /does not match its nameB64|not allowed/);
      assert.deepEqual(fs.readdirSync(target), ['fine']);
      unchanged();
      await vault.close();
    });
  });

  it('prune keeps the data of refused entries: refusing an entry is no reason to delete what it names', async () => {
    await withTempDir('hostile-prune', async (dir) => {
      const { vault, snap } = await setUp(dir, () => [
        { type: 'file', name: 'twice', data: 'only the refused entries name this data' },
        { type: 'dir', name: 'twice', entries: [{ type: 'file', name: 'below', data: 'below a refused directory' }] },
        { type: 'file', name: 'fine', data: 'fine' },
      ]);
      const before = await vault.check();
      const pruned = await vault.prune();
      assert.equal(pruned.blobsRemoved, 0);
      const after = await vault.check({ readData: true });
      assert.deepEqual(after.errors, before.errors, 'the same two refused entries, and no blob missing');
      assert.equal(after.errors.length, 2);
      assert.equal((await vault.getSnapshot(snap.id)).id, snap.id);
      await vault.close();
    });
  });

  it('keeps writing into the directory it opened when a path component is swapped for a symlink', async () => {
    await withTempDir('swap', async (dir) => {
      fs.mkdirSync(path.join(dir, 'target/d'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'outside'));
      const root = await DirHandle.openTarget(Buffer.from(path.join(dir, 'target')));
      const d = await root.openChild(Buffer.from('d'));
      // The attacker's move, between two steps of a restore.
      fs.renameSync(path.join(dir, 'target/d'), path.join(dir, 'target/moved'));
      fs.symlinkSync(path.join(dir, 'outside'), path.join(dir, 'target/d'));
      fs.writeFileSync(d.entry(Buffer.from('file')), 'x', { flag: 'wx' });
      fs.mkdirSync(d.entry(Buffer.from('sub')));
      assert.deepEqual(fs.readdirSync(path.join(dir, 'outside')), []);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'target/moved')).sort(), ['file', 'sub']);
      await assert.rejects(root.openChild(Buffer.from('d')), (err: NodeJS.ErrnoException) => err.code === 'ELOOP' || err.code === 'ENOTDIR');
      d.close();
      root.close();
    });
  });
});
