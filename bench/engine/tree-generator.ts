import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A deterministic ~1 GiB tree of about 4,400 files: random (incompressible) data, compressible text and
 * JSON-like records, and exact duplicates of earlier files, in nested folders of mixed sizes.
 */
export interface BenchFile {
  rel: string;
  size: number;
  kind: 'random' | 'text' | 'duplicate';
  seed: number;
  /** For duplicates: the file copied. */
  source?: number;
}

class Rng {
  private x: number;
  constructor(seed: number) {
    this.x = (seed * 2654435761) >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.x = x;
    return x;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

export function planTree(): BenchFile[] {
  const rng = new Rng(20_261_202);
  const files: BenchFile[] = [];
  const add = (count: number, minSize: number, maxSize: number) => {
    for (let i = 0; i < count; i++) {
      const idx = files.length;
      const size = minSize + rng.below(maxSize - minSize);
      const roll = rng.below(100);
      const kind: BenchFile['kind'] = idx > 50 && roll < 15 ? 'duplicate' : roll < 57 ? 'random' : 'text';
      const dir = `d${rng.below(12)}/s${rng.below(20)}`;
      const file: BenchFile = { rel: `${dir}/file-${idx}.${kind === 'text' ? 'log' : 'bin'}`, size, kind, seed: idx + 1 };
      if (kind === 'duplicate') {
        // Copy an earlier non-duplicate file of the same size class.
        let source = rng.below(idx);
        while (files[source]!.kind === 'duplicate') source = (source + 1) % idx;
        file.source = source;
        file.size = files[source]!.size;
      }
      files.push(file);
    }
  };
  add(3960, 1_000, 80_000); // small files
  add(400, 300_000, 2_000_000); // medium
  add(40, 8_000_000, 20_000_000); // large
  return files;
}

const WORDS = (
  'backup vault coffer restore snapshot chunk index pack tree file folder error warning info debug request ' +
  'response user agent server client session token cache disk memory network timeout retry success failure ' +
  'start stop pending running completed queued the a of to and in for on with at by from'
).split(' ');

export function fileContent(file: BenchFile, all: BenchFile[]): Buffer {
  if (file.kind === 'duplicate') return fileContent(all[file.source!]!, all);
  const out = Buffer.allocUnsafe(file.size);
  const rng = new Rng(file.seed);
  if (file.kind === 'random') {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) out.writeUInt32LE(rng.next(), i);
    for (; i < out.length; i++) out[i] = rng.next() & 0xff;
    return out;
  }
  // Log-like text: timestamps, levels, words and numbers; compresses about 4-6× with common codecs.
  let at = 0;
  let t = 1_700_000_000 + file.seed * 1000;
  while (at < out.length) {
    t += rng.below(5);
    let line = `${t} ${WORDS[rng.below(20)]} id=${rng.next().toString(16)} `;
    const n = 4 + rng.below(10);
    for (let k = 0; k < n; k++) line += `${WORDS[rng.below(WORDS.length)]} `;
    line += `value=${rng.below(100000)}\n`;
    at += out.write(line, at, 'latin1');
  }
  return out;
}

export async function writeTree(root: string, files: BenchFile[]): Promise<void> {
  for (const file of files) {
    const p = path.join(root, file.rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, fileContent(file, files));
  }
}

/** Changes 5 % of the files: half get a block overwritten in the middle, half get data appended. */
export async function changeFivePercent(root: string, files: BenchFile[]): Promise<BenchFile[]> {
  const rng = new Rng(5);
  const changed: BenchFile[] = [];
  const step = 20;
  for (let i = rng.below(step); i < files.length; i += step) {
    const file = files[i]!;
    const p = path.join(root, file.rel);
    const handle = await fs.open(p, 'r+');
    try {
      const block = Buffer.from(`changed block ${i} `.repeat(200));
      if (i % 2) await handle.write(block, 0, block.length, Math.floor(file.size / 2));
      else await handle.write(block, 0, block.length, file.size);
    } finally {
      await handle.close();
    }
    changed.push(file);
  }
  return changed;
}
