import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { runBackendConformance } from './conformance.js';
import { LocalBackend } from './local-backend.js';

runBackendConformance('local directory', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coffer-local-be-'));
  return { backend: new LocalBackend(dir), cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
});

it('local backend leaves no temporary files behind after saves', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coffer-local-be-'));
  try {
    const be = new LocalBackend(dir);
    await be.save('data/abcd', Buffer.alloc(10));
    await be.save('config', Buffer.alloc(10));
    assert.deepEqual(await fs.readdir(path.join(dir, 'tmp')), []);
    assert.deepEqual(await fs.readdir(path.join(dir, 'data', 'ab')), ['abcd']);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

it('local backend removes temporaries older than an hour left by a crashed save', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coffer-local-be-'));
  try {
    await fs.mkdir(path.join(dir, 'tmp'));
    const old = path.join(dir, 'tmp', 'data-abcd.123456');
    const fresh = path.join(dir, 'tmp', 'data-abce.654321');
    await fs.writeFile(old, 'half a pack');
    await fs.writeFile(fresh, 'being written right now');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await fs.utimes(old, twoHoursAgo, twoHoursAgo);
    await new LocalBackend(dir).save('config', Buffer.from('x'));
    assert.deepEqual(await fs.readdir(path.join(dir, 'tmp')), ['data-abce.654321']);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
