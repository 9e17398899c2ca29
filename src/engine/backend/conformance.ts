import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { VaultBackend } from './backend.js';
import { isNotFoundError } from './errors.js';

export interface BackendUnderTest {
  backend: VaultBackend;
  /** Removes whatever the backend created (temp directory, server, bucket). */
  cleanup?: () => Promise<void>;
}

export interface ConformanceOptions {
  /**
   * The backend keeps an append-only history (the Coffer server's vault endpoint as seen with an agent's token):
   * existing files other than locks cannot be replaced, and data, index and snapshot files cannot be deleted.
   */
  appendOnly?: boolean;
}

/**
 * The behaviour every vault backend must show. Call it from a test file with a factory that returns a fresh,
 * empty backend each time: `runBackendConformance('local', async () => ({ backend, cleanup }))`.
 */
export function runBackendConformance(label: string, makeBackend: () => Promise<BackendUnderTest>, options: ConformanceOptions = {}): void {
  const withBackend = (fn: (backend: VaultBackend) => Promise<void>) => async () => {
    const { backend, cleanup } = await makeBackend();
    try {
      await fn(backend);
    } finally {
      await backend.close();
      await cleanup?.();
    }
  };

  describe(`vault backend conformance: ${label}`, () => {
    it(
      'saves a buffer and loads the same bytes back',
      withBackend(async (be) => {
        const data = randomBytes(70_000);
        await be.save('keys/k1', data);
        assert.deepEqual(await be.load('keys/k1'), data);
        assert.deepEqual(await be.stat('keys/k1'), { name: 'keys/k1', size: data.length });
      }),
    );

    it(
      'saves from a stream',
      withBackend(async (be) => {
        const parts = [randomBytes(1000), randomBytes(65_536), randomBytes(3)];
        await be.save('index/abc', Readable.from(parts));
        assert.deepEqual(await be.load('index/abc'), Buffer.concat(parts));
      }),
    );

    it(
      'stores empty files',
      withBackend(async (be) => {
        await be.save('locks/empty', Buffer.alloc(0));
        assert.equal((await be.load('locks/empty')).length, 0);
        assert.equal((await be.stat('locks/empty')).size, 0);
      }),
    );

    it(
      'loads byte ranges, including one that ends at the last byte',
      withBackend(async (be) => {
        const data = randomBytes(3 * 1024 * 1024 + 17);
        const name = `data/${sha(data)}`;
        await be.save(name, data);
        assert.deepEqual(await be.load(name, { offset: 0, length: 10 }), data.subarray(0, 10));
        assert.deepEqual(await be.load(name, { offset: 1_234_567, length: 1_000_001 }), data.subarray(1_234_567, 2_234_568));
        assert.deepEqual(await be.load(name, { offset: data.length - 4, length: 4 }), data.subarray(data.length - 4));
        assert.equal((await be.load(name, { offset: data.length, length: 0 })).length, 0);
      }),
    );

    it(
      'rejects a range past the end of the file',
      withBackend(async (be) => {
        await be.save('data/ff00', Buffer.alloc(100, 1));
        await assert.rejects(be.load('data/ff00', { offset: 90, length: 11 }));
        await assert.rejects(be.load('data/ff00', { offset: 101, length: 0 }));
      }),
    );

    it(
      'reports missing files as not found on load and stat',
      withBackend(async (be) => {
        const loadErr = await be.load('snapshots/nope').then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(isNotFoundError(loadErr), `load error should be not-found, got ${String(loadErr)}`);
        const statErr = await be.stat('config').then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(isNotFoundError(statErr), `stat error should be not-found, got ${String(statErr)}`);
        const rangeErr = await be.load('data/00ff', { offset: 0, length: 1 }).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(isNotFoundError(rangeErr));
      }),
    );

    if (options.appendOnly) {
      it(
        'refuses to replace a file, except a lock',
        withBackend(async (be) => {
          await be.save('config', Buffer.from('first version, longer'));
          await assert.rejects(be.save('config', Buffer.from('second')));
          assert.equal((await be.load('config')).toString(), 'first version, longer');
          await be.save('snapshots/s1', Buffer.from('same bytes'));
          await be.save('snapshots/s1', Buffer.from('same bytes')); // a repeated save of the same file is no change
          await be.save('locks/l1', Buffer.from('first'));
          await be.save('locks/l1', Buffer.from('2nd'));
          assert.equal((await be.load('locks/l1')).toString(), '2nd');
        }),
      );

      it(
        'refuses to delete history outside a cleanup',
        withBackend(async (be) => {
          for (const name of ['data/0a0b', 'index/i1', 'snapshots/s1', 'keys/k1', 'config']) {
            await be.save(name, Buffer.from('kept'));
            await assert.rejects(be.remove(name), `remove ${name} must fail`);
            assert.equal((await be.load(name)).toString(), 'kept');
          }
        }),
      );
    } else {
      it(
        'replaces a file on a second save',
        withBackend(async (be) => {
          await be.save('config', Buffer.from('first version, longer'));
          await be.save('config', Buffer.from('second'));
          assert.equal((await be.load('config')).toString(), 'second');
        }),
      );
    }

    it(
      'lists by prefix with exact names and sizes',
      withBackend(async (be) => {
        const packs = ['data/00aa', 'data/00ab', 'data/ffee', 'data/7'];
        for (const [i, name] of packs.entries()) await be.save(name, Buffer.alloc(i + 1));
        await be.save('index/i1', Buffer.alloc(5));
        await be.save('snapshots/s1', Buffer.alloc(6));
        await be.save('config', Buffer.alloc(7));
        const data = (await be.list('data/')).sort((a, b) => a.name.localeCompare(b.name));
        assert.deepEqual(data, [
          { name: 'data/00aa', size: 1 },
          { name: 'data/00ab', size: 2 },
          { name: 'data/7', size: 4 },
          { name: 'data/ffee', size: 3 },
        ]);
        assert.deepEqual(await be.list('index/'), [{ name: 'index/i1', size: 5 }]);
        assert.deepEqual((await be.list('data/00a')).map((f) => f.name).sort(), ['data/00aa', 'data/00ab']);
        assert.deepEqual(await be.list('keys/'), []);
        const all = (await be.list('')).map((f) => f.name).sort();
        assert.deepEqual(all, ['config', 'data/00aa', 'data/00ab', 'data/7', 'data/ffee', 'index/i1', 'snapshots/s1']);
      }),
    );

    it(
      'removes files, and removing a missing file succeeds',
      withBackend(async (be) => {
        await be.save('locks/l1', Buffer.from('x'));
        await be.remove('locks/l1');
        assert.ok(
          isNotFoundError(
            await be.load('locks/l1').then(
              () => undefined,
              (e: unknown) => e,
            ),
          ),
        );
        assert.deepEqual(await be.list('locks/'), []);
        await be.remove('locks/l1');
        if (!options.appendOnly) await be.remove('data/0123');
      }),
    );

    it(
      'rejects names outside the vault layout',
      withBackend(async (be) => {
        for (const bad of ['../x', 'data/', 'data/../../etc', 'foo/bar', 'data/a/b', '', 'keys/a b']) {
          await assert.rejects(be.save(bad, Buffer.from('x')), `save ${JSON.stringify(bad)} must fail`);
          await assert.rejects(be.load(bad), `load ${JSON.stringify(bad)} must fail`);
        }
      }),
    );

    it(
      'handles many concurrent saves',
      withBackend(async (be) => {
        const blobs = Array.from({ length: 40 }, () => randomBytes(2000));
        await Promise.all(blobs.map((b) => be.save(`data/${sha(b)}`, b)));
        const listed = await be.list('data/');
        assert.equal(listed.length, 40);
        for (const b of blobs) assert.deepEqual(await be.load(`data/${sha(b)}`), b);
      }),
    );
  });
}

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
