import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Deterministic pseudo-random bytes (xorshift32), fast enough for test trees. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  for (; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export interface FixtureOptions {
  /** Chunk sizes of the vault, to place files exactly on the boundaries. */
  chunk: { minSize: number; avgSize: number; maxSize: number };
  /** Size of the sparse file (0 to leave it out). */
  sparseSize: number;
}

const ODD_NAME = Buffer.from([0x6f, 0x64, 0x64, 0xff, 0xfe, 0x2d, 0x6e, 0x61, 0x6d, 0x65]); // "odd\xff\xfe-name"

/** Builds a tree with the edge cases a backup must carry exactly. */
export async function buildEdgeCaseTree(root: string, options: FixtureOptions): Promise<void> {
  const { minSize, avgSize, maxSize } = options.chunk;
  await fs.mkdir(root, { recursive: true });
  const write = async (rel: string, data: Buffer, mode = 0o644) => {
    const p = path.join(root, rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, data);
    await fs.chmod(p, mode);
  };
  await write('empty', Buffer.alloc(0));
  await write('small.txt', Buffer.from('hello vault\n'));
  const sizes = { min: minSize, minPlus1: minSize + 1, avg: avgSize, max: maxSize, maxPlus1: maxSize + 1, twoMax: 2 * maxSize };
  let seed = 1;
  for (const [label, size] of Object.entries(sizes)) await write(`bounds/${label}.bin`, pseudoRandomBytes(size, seed++));
  await write('bounds/zeros-3max.bin', Buffer.alloc(3 * maxSize + 5));
  const text = Buffer.from('All work and no play makes a vault a dull boy.\n'.repeat(20_000));
  await write('compressible.txt', text);
  await write('dup/copy-a.txt', text);
  await write('dup/copy-b.txt', text);
  await write('modes/exec.sh', Buffer.from('#!/bin/sh\necho hi\n'), 0o755);
  await write('modes/private', Buffer.from('secret'), 0o600);
  await write('modes/readonly', Buffer.from('ro'), 0o444);
  await write('modes/setuid', Buffer.from('su'), 0o4750);
  await write('unicode/ünïcödé 日本語 😀.txt', Buffer.from('unicode'));
  await write('unicode/with space & quote\'s "name"', Buffer.from('quoted'));
  await fs.writeFile(Buffer.concat([Buffer.from(path.join(root, 'unicode') + '/'), ODD_NAME]), 'odd bytes');
  await fs.mkdir(path.join(root, 'empty-dir'));
  await fs.mkdir(path.join(root, 'nested-empty/a/b'), { recursive: true });
  let deep = path.join(root, 'deep');
  for (let i = 0; i < 40; i++) deep = path.join(deep, `level-${i}`);
  await fs.mkdir(deep, { recursive: true });
  await fs.writeFile(path.join(deep, 'bottom.txt'), 'at the bottom');
  await fs.symlink('small.txt', path.join(root, 'link-relative'));
  await fs.symlink('/nonexistent/target', path.join(root, 'link-dangling'));
  await fs.symlink(Buffer.concat([Buffer.from('unicode/'), ODD_NAME]), Buffer.from(path.join(root, 'link-odd')));
  await fs.symlink('empty-dir', path.join(root, 'link-to-dir'));
  if (options.sparseSize) {
    const handle = await fs.open(path.join(root, 'sparse.img'), 'w');
    await handle.write(Buffer.from('start'), 0, 5, 0);
    await handle.write(Buffer.from('middle'), 0, 6, Math.floor(options.sparseSize / 2));
    await handle.truncate(options.sparseSize);
    await handle.close();
  }
  await fs.mkdir(path.join(root, 'locked-dir'));
  await fs.writeFile(path.join(root, 'locked-dir/inside.txt'), 'inside a read-only directory');
  await fs.chmod(path.join(root, 'locked-dir'), 0o555);
  // Fixed, distinct times (set last, deepest first, so later writes do not move them).
  let t = 1_600_000_000;
  const stamp = async (p: Buffer) => {
    const st = await fs.lstat(p);
    if (st.isDirectory()) for (const name of await fs.readdir(p, { encoding: 'buffer' })) await stamp(Buffer.concat([p, Buffer.from('/'), name]));
    t += 3601;
    await fs.lutimes(p, t + 0.123, t + 0.123);
  };
  await stamp(Buffer.from(root));
}

/** Asserts that two trees hold the same entries, bytes, modes, times (ms) and link targets. */
export async function assertSameTree(expected: string, actual: string, options: { skipRootTimes?: boolean } = {}): Promise<number> {
  let compared = 0;
  const walk = async (a: Buffer, b: Buffer, rel: string, isRoot: boolean): Promise<void> => {
    const [sa, sb] = await Promise.all([fs.lstat(a), fs.lstat(b)]);
    const what = rel || '.';
    assert.equal(typeOf(sb), typeOf(sa), `type of ${what}`);
    if (!sa.isSymbolicLink()) assert.equal((sb.mode & 0o7777).toString(8), (sa.mode & 0o7777).toString(8), `mode of ${what}`);
    if (!(isRoot && options.skipRootTimes)) assert.equal(Math.floor(sb.mtimeMs), Math.floor(sa.mtimeMs), `mtime of ${what}`);
    compared++;
    if (sa.isFile()) {
      assert.equal(sb.size, sa.size, `size of ${what}`);
      assert.equal(await fileHash(b), await fileHash(a), `content of ${what}`);
    } else if (sa.isSymbolicLink()) {
      assert.deepEqual(await fs.readlink(b, { encoding: 'buffer' }), await fs.readlink(a, { encoding: 'buffer' }), `target of ${what}`);
    } else if (sa.isDirectory()) {
      const [na, nb] = await Promise.all([fs.readdir(a, { encoding: 'buffer' }), fs.readdir(b, { encoding: 'buffer' })]);
      const sortB = (x: Buffer[]) => x.sort(Buffer.compare).map((n) => n.toString('latin1'));
      assert.deepEqual(sortB(nb), sortB(na), `entries of ${what}`);
      for (const name of na) {
        const sep = Buffer.from('/');
        await walk(Buffer.concat([a, sep, name]), Buffer.concat([b, sep, name]), `${rel}/${name.toString()}`, false);
      }
    }
  };
  await walk(Buffer.from(expected), Buffer.from(actual), '', true);
  return compared;
}

function typeOf(st: import('node:fs').Stats): string {
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
}

export async function fileHash(p: Buffer | string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.open(p, 'r');
  try {
    for await (const part of handle.createReadStream()) hash.update(part as Buffer);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return hash.digest('hex');
}
