import { createHash } from 'node:crypto';

/** 256 pseudo-random 32-bit values derived from the vault's chunker seed (SHA-256 in counter mode). */
export function gearTable(seed: Buffer): Int32Array {
  const table = new Int32Array(256);
  for (let block = 0; block < 32; block++) {
    const digest = createHash('sha256')
      .update(seed)
      .update(Buffer.from([block]))
      .digest();
    for (let i = 0; i < 8; i++) table[block * 8 + i] = digest.readInt32LE(i * 4);
  }
  return table;
}
