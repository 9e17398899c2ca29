// Compression ratio and speed of brotli and zstd levels on the engine benchmark's tree (every third file, cut in
// 1 MiB pieces, as the vault's chunker would roughly), with the vault's rules: incompressible-looking data and
// savings under 1/32 stay raw. Run: node --import tsx bench/engine/compression-levels.ts
import zlib from 'node:zlib';
import { planTree, fileContent } from './tree-generator.js';
import { looksIncompressible } from '../../src/engine/repository/compression.js';
const files = planTree();
const chunks: Buffer[] = [];
let total = 0;
for (let i = 0; i < files.length; i += 3) {
  const c = fileContent(files[i]!, files);
  for (let o = 0; o < c.length; o += 1 << 20) {
    const ch = c.subarray(o, o + (1 << 20));
    chunks.push(ch);
    total += ch.length;
  }
}
console.log(`sample: ${chunks.length} chunks, ${(total / 2 ** 20).toFixed(0)} MiB of ${(files.length / 3) | 0} files`);
const variants: [string, (b: Buffer) => Buffer][] = [
  [
    'brotli q1',
    (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_LGWIN]: 22, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
  ],
  [
    'brotli q4',
    (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_LGWIN]: 22, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
  ],
  ...[-1, 1, 2, 3, 4, 6, 9].map(
    (l) =>
      [`zstd ${l}`, (b: Buffer) => zlib.zstdCompressSync(b, { params: { [zlib.constants.ZSTD_c_compressionLevel]: l }, pledgedSrcSize: b.length } as zlib.ZstdOptions)] as [
        string,
        (b: Buffer) => Buffer,
      ],
  ),
];
for (const [name, fn] of variants) {
  let out = 0;
  const t0 = process.hrtime.bigint();
  for (const ch of chunks) {
    if (ch.length < 64 || looksIncompressible(ch)) {
      out += ch.length;
      continue;
    }
    const p = fn(ch);
    out += p.length <= ch.length - (ch.length >>> 5) ? p.length : ch.length;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${name.padEnd(10)} ratio ${(out / total).toFixed(4)}  ${(total / 2 ** 20 / s).toFixed(0)} MiB/s`);
}
const z = chunks.filter((c) => !looksIncompressible(c)).map((c) => zlib.zstdCompressSync(c, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 } }));
const b = chunks.filter((c) => !looksIncompressible(c)).map((c) => zlib.brotliCompressSync(c, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }));
let t0 = process.hrtime.bigint();
for (const c of z) zlib.zstdDecompressSync(c);
const tz = Number(process.hrtime.bigint() - t0) / 1e9;
t0 = process.hrtime.bigint();
for (const c of b) zlib.brotliDecompressSync(c);
const tb = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`decompress: zstd 3 ${tz.toFixed(2)} s, brotli q1 ${tb.toFixed(2)} s`);
