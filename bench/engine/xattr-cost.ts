// What reading and writing extended attributes costs, per way of doing it, on N files of which every tenth carries
// two user attributes and one an ACL: @napi-rs/xattr in-process (what the engine uses, src/engine/xattrs.ts)
// against getfattr/setfattr in batches (the attr package), with lstat as the yardstick.
// Run: node --import tsx bench/engine/xattr-cost.ts [files]   (needs the attr and acl packages for the comparison)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readXattrs, writeXattrs, type Xattr } from '../../src/engine/xattrs.js';

const count = Number(process.argv[2] ?? 2000);
const BATCH = 500;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-xattr-bench-'));
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const hasTool = (name: string) => {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
try {
  const src = path.join(dir, 'src');
  const dst = path.join(dir, 'dst');
  fs.mkdirSync(src);
  fs.mkdirSync(dst);
  const files = Array.from({ length: count }, (_, i) => `f${i}`);
  for (const f of files) fs.writeFileSync(path.join(src, f), f);
  const tagged = files.filter((_, i) => i % 10 === 0);
  writeXattrs(Buffer.from(path.join(src, files[0]!)), [{ name: 'user.probe', value: 'AA==' }]);
  for (const f of tagged)
    writeXattrs(Buffer.from(path.join(src, f)), [
      { name: 'user.a', value: Buffer.from(f).toString('base64') },
      { name: 'user.b', value: 'AQID' },
    ]);
  if (hasTool('setfacl')) execFileSync('setfacl', ['-m', 'u:nobody:r', path.join(src, files[1]!)]);

  const rows: [string, number][] = [];
  let t = process.hrtime.bigint();
  for (const f of files) fs.lstatSync(path.join(src, f), { bigint: true });
  rows.push(['lstat (yardstick)', ms(t)]);

  t = process.hrtime.bigint();
  const read = new Map<string, Xattr[]>();
  for (const f of files) {
    const { xattrs } = readXattrs(Buffer.from(path.join(src, f)));
    if (xattrs) read.set(f, xattrs);
  }
  rows.push(['@napi-rs/xattr: list + get', ms(t)]);

  let dump = '';
  if (hasTool('getfattr')) {
    t = process.hrtime.bigint();
    for (let i = 0; i < files.length; i += BATCH) {
      const batch = files.slice(i, i + BATCH).map((f) => path.join(src, f));
      dump += execFileSync('getfattr', ['--absolute-names', '--no-dereference', '--dump', '--match=-', '--encoding=base64', ...batch], { encoding: 'utf8', maxBuffer: 1 << 28 });
    }
    rows.push([`getfattr, batches of ${BATCH} (output not yet parsed)`, ms(t)]);
  }

  for (const f of files) fs.writeFileSync(path.join(dst, f), f);
  t = process.hrtime.bigint();
  for (const [f, xattrs] of read) writeXattrs(Buffer.from(path.join(dst, f)), xattrs);
  rows.push(['@napi-rs/xattr: set', ms(t)]);

  if (dump && hasTool('setfattr')) {
    const other = path.join(dir, 'dst2');
    fs.mkdirSync(other);
    for (const f of files) fs.writeFileSync(path.join(other, f), f);
    t = process.hrtime.bigint();
    execFileSync('setfattr', ['--restore=-'], { input: dump.replaceAll(`# file: ${src}/`, `# file: ${other}/`) });
    rows.push(['setfattr --restore, one batch', ms(t)]);
  }

  console.log(`${count} files, ${read.size} with attributes`);
  for (const [name, took] of rows) console.log(`${name.padEnd(48)} ${took.toFixed(1).padStart(8)} ms  ${((took * 1000) / count).toFixed(1).padStart(6)} µs/file`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
