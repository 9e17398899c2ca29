import { gearTable } from './gear-table.js';

export interface ChunkerParams {
  minSize: number;
  avgSize: number;
  maxSize: number;
  /** Per-vault seed of the gear table (hex), so chunk boundaries do not reveal content across vaults. */
  seed: string;
}

export const DEFAULT_CHUNK_SIZES = { minSize: 512 * 1024, avgSize: 1024 * 1024, maxSize: 8 * 1024 * 1024 } as const;

/** Where an interrupted scan stopped: `pos` bytes into the chunk, with the rolling hash at that point. */
export interface CutState {
  pos: number;
  hash: number;
}

export function newCutState(): CutState {
  return { pos: 0, hash: 0 };
}

/**
 * FastCDC content-defined chunking with a gear rolling hash and normalised chunking: below the average size a
 * stricter mask (2 more bits) makes cuts rarer, above it a looser one (2 fewer bits) makes them likelier, which
 * narrows the size distribution around the average. The hash starts at `minSize` (bytes before it are never a
 * cut point), and since each step shifts one bit out, only the last 32 bytes decide a cut.
 */
export class FastCdc {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  private readonly gear: Int32Array;
  private readonly maskStrict: number;
  private readonly maskLoose: number;

  constructor(params: ChunkerParams) {
    const { minSize, avgSize, maxSize } = params;
    if (!(minSize > 0 && minSize <= avgSize && avgSize <= maxSize)) throw new RangeError('chunk sizes must satisfy 0 < min <= avg <= max');
    const bits = Math.round(Math.log2(avgSize));
    if (bits < 4 || bits > 28) throw new RangeError('average chunk size out of range');
    this.minSize = minSize;
    this.avgSize = avgSize;
    this.maxSize = maxSize;
    this.gear = gearTable(Buffer.from(params.seed, 'hex'));
    // Use the high bits: in a gear hash they depend on the most input bytes.
    this.maskStrict = highBits(bits + 2);
    this.maskLoose = highBits(bits - 2);
  }

  /**
   * Length of the chunk that starts at buf[0], looking at the first `length` bytes. The caller must pass at
   * least maxSize bytes unless the input ends (`length` bytes are all that is left).
   */
  cut(buf: Uint8Array, length: number): number {
    return this.cutResumable(buf, length, true, newCutState());
  }

  /**
   * Like `cut` but without lookahead: given the `available` bytes of the chunk that starts at buf[0], returns
   * the chunk length, or -1 when more bytes are needed (never when `eof`). The next call resumes the scan
   * where this one stopped, so feeding a chunk in pieces finds the same cut as one pass.
   */
  cutResumable(buf: Uint8Array, available: number, eof: boolean, state: CutState): number {
    if (available <= this.minSize) return eof ? available : -1;
    const end = Math.min(available, this.maxSize);
    const normal = Math.min(this.avgSize, end);
    const gear = this.gear;
    const strict = this.maskStrict;
    const loose = this.maskLoose;
    let hash = state.hash;
    let i = Math.max(state.pos, this.minSize);
    for (; i < normal; i++) {
      hash = ((hash << 1) + gear[buf[i]!]!) | 0;
      if ((hash & strict) === 0) return i + 1;
    }
    for (; i < end; i++) {
      hash = ((hash << 1) + gear[buf[i]!]!) | 0;
      if ((hash & loose) === 0) return i + 1;
    }
    if (end === this.maxSize || eof) return end;
    state.pos = i;
    state.hash = hash;
    return -1;
  }
}

function highBits(count: number): number {
  return count >= 32 ? -1 : (0xffffffff << (32 - count)) | 0;
}
