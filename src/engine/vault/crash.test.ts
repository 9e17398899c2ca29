import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalBackend } from '../backend/local-backend.js';
import { assertSameTree, pseudoRandomBytes } from '../testing/tree-fixture.js';
import { TEST_SCRYPT, withTempDir } from '../testing/temp-dir.js';
import { initVault, type Vault } from './vault.js';

const CHILD = fileURLToPath(new URL('../testing/crash-child.ts', import.meta.url));
const CHUNKS = { minSize: 64 * 1024, avgSize: 256 * 1024, maxSize: 1024 * 1024 };

/** Starts the operation in a child, waits until it has opened the vault, then SIGKILLs it once `moment` resolves. */
async function runAndKill(args: object, moment: number | (() => Promise<void>)): Promise<'killed' | 'finished'> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('started')) resolve();
    });
    child.on('exit', (code) => (output.includes('started') ? resolve() : reject(new Error(`child exited early (${code})`))));
  });
  await (typeof moment === 'number' ? new Promise((r) => setTimeout(r, moment)) : Promise.race([moment(), exited]));
  child.kill('SIGKILL');
  await exited;
  return output.includes('finished') ? 'finished' : 'killed';
}

/** Resolves once the vault holds at least one pack: a kill then interrupts a backup that has written data. */
async function firstPackWritten(repo: string): Promise<void> {
  const backend = new LocalBackend(repo);
  const deadline = Date.now() + 60_000;
  while ((await backend.list('data/')).length === 0) {
    if (Date.now() > deadline) throw new Error('no pack was written within 60 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function assertCheckPasses(vault: Vault, label: string): Promise<void> {
  const result = await vault.check({ readData: true });
  assert.deepEqual(result.errors, [], `check after ${label}`);
}

async function makeSource(dir: string, seedBase: number, files: number): Promise<string> {
  const src = path.join(dir, 'src');
  await fs.mkdir(src, { recursive: true });
  for (let i = 0; i < files; i++) await fs.writeFile(path.join(src, `f${i}`), pseudoRandomBytes(1_500_000, seedBase + i));
  return src;
}

describe('crash safety (SIGKILL)', () => {
  it('a killed backup leaves a vault that passes check, and the next backup reuses its packs', async () => {
    await withTempDir('kill-backup', async (dir) => {
      const repo = path.join(dir, 'vault');
      const vault = await initVault(new LocalBackend(repo), 'pw', { scrypt: TEST_SCRYPT, chunker: CHUNKS, packSize: 2 << 20 });
      const src = await makeSource(dir, 1, 40);
      const outcomes: string[] = [];
      for (const moment of [0, 150, 400, () => firstPackWritten(repo)]) {
        outcomes.push(await runAndKill({ op: 'backup', repo, password: 'pw', paths: [src] }, moment));
        await assertCheckPasses(vault, typeof moment === 'number' ? `backup killed at ${moment} ms` : 'backup killed after its first pack');
      }
      assert.ok(outcomes.includes('killed'), `some runs were interrupted: ${outcomes.join(',')}`);
      const packsBefore = (await new LocalBackend(repo).list('data/')).length;
      const done = await vault.backup({ paths: [src] });
      assert.ok(packsBefore > 0, 'the interrupted runs left packs behind to reuse');
      assert.ok(done.dataAdded < 60_000_000, `packs of killed runs were reused (added ${done.dataAdded} of 60 MB)`);
      await assertCheckPasses(vault, 'the completing backup');
      await vault.restore({ snapshot: done.snapshotId, target: path.join(dir, 'out') });
      await assertSameTree(src, path.join(dir, 'out', src), { skipRootTimes: true });
    });
  });

  it('a killed prune leaves a vault that passes check and restores the kept snapshot', async () => {
    await withTempDir('kill-prune', async (dir) => {
      const repo = path.join(dir, 'vault');
      const vault = await initVault(new LocalBackend(repo), 'pw', { scrypt: TEST_SCRYPT, chunker: CHUNKS, packSize: 2 << 20 });
      const src = await makeSource(dir, 1, 24);
      for (let round = 1; round <= 3; round++) {
        for (let i = 0; i < 24; i += 2) await fs.writeFile(path.join(src, `f${i}`), pseudoRandomBytes(1_500_000, round * 100 + i));
        await vault.backup({ paths: [src] });
      }
      const outcomes: string[] = [];
      for (const delay of [30, 120, 300]) {
        outcomes.push(await runAndKill({ op: 'prune', repo, password: 'pw' }, delay));
        await assertCheckPasses(vault, `prune killed at ${delay} ms`);
      }
      assert.equal(outcomes[0], 'killed', `the first prune was interrupted: ${outcomes.join(',')}`);
      const result = await vault.prune({ policy: { keepLast: 1 } });
      await assertCheckPasses(vault, 'the completing prune');
      assert.equal((await vault.listSnapshots()).length, 1);
      assert.ok(result.bytesAfter <= result.bytesBefore);
      await vault.restore({ snapshot: 'latest', target: path.join(dir, 'out') });
      await assertSameTree(src, path.join(dir, 'out', src), { skipRootTimes: true });
      const next = await vault.backup({ paths: [src] });
      assert.equal(next.dataAdded, 0);
    });
  });
});
