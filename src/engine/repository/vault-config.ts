import { randomBytes } from 'node:crypto';
import { DEFAULT_CHUNK_SIZES, type ChunkerParams } from '../chunker/fastcdc.js';
import { COMPRESSION_LEVEL, type CompressionSetting } from './compression.js';

/** Plaintext of the sealed `config` file: fixed for the vault's lifetime. */
export interface VaultConfig {
  version: 1;
  id: string;
  created: string;
  chunker: ChunkerParams;
  /** Packs are closed once they reach this many bytes. */
  packSize: number;
  /** `fast` (zstd level 3, the default when absent) or `small` (zstd level 9: a little smaller, about 5× the CPU). */
  compression?: CompressionSetting;
}

export function compressionLevel(config: VaultConfig): number {
  return COMPRESSION_LEVEL[config.compression ?? 'fast'];
}

export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

export function newVaultConfig(overrides: { chunker?: Partial<Omit<ChunkerParams, 'seed'>>; packSize?: number; compression?: CompressionSetting } = {}): VaultConfig {
  return {
    version: 1,
    id: randomBytes(16).toString('hex'),
    created: new Date().toISOString(),
    chunker: { ...DEFAULT_CHUNK_SIZES, ...overrides.chunker, seed: randomBytes(32).toString('hex') },
    packSize: overrides.packSize ?? DEFAULT_PACK_SIZE,
    ...(overrides.compression && overrides.compression !== 'fast' ? { compression: overrides.compression } : {}),
  };
}
