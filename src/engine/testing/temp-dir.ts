import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A temp directory removed afterwards, even if the test made parts of it read-only. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `coffer-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    await makeWritable(dir).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await fs.chmod(dir, 0o700);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await makeWritable(path.join(dir, entry.name));
  }
}

/** Cheap scrypt for tests; real vaults use the default cost. */
export const TEST_SCRYPT = { N: 1 << 10, r: 8, p: 1 };
