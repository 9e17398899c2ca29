import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { loadServerConfig } from '../../config.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { backupServerData } from './server-backup.js';
import { restoreServerData } from './server-restore.js';
import { flipByte } from '../../../test/helpers/indexing.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-server-data-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));
const quiet = () => undefined;

async function serverWithData(name: string) {
  const dataDir = path.join(work, name);
  const store = await openSqliteStore({ file: path.join(dataDir, 'coffer.db') });
  fs.mkdirSync(path.join(dataDir, 'vaults', 'v1', 'data'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'vaults', 'v1', 'data', 'aa'), 'pack bytes');
  fs.mkdirSync(path.join(dataDir, '.tmp'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, '.tmp', 'half'), 'an upload in progress');
  return { dataDir, store, config: loadServerConfig({ COFFER_DATA_DIR: dataDir }) };
}

it('copies the database while it is open, the vault files, and restores them into an empty folder only', async () => {
  const { dataDir, store, config } = await serverWithData('a');
  try {
    const to = path.join(work, 'a-backup');
    const manifest = await backupServerData(config, to, quiet);
    assert.ok(manifest.database && manifest.database.bytes > 0);
    assert.deepEqual(manifest.folders.vaults, { files: 1, bytes: 10 });
    assert.equal(fs.existsSync(path.join(to, '.tmp')), false, 'uploads in progress are not copied');
    await assert.rejects(backupServerData(config, path.join(dataDir, 'inside'), quiet), /outside the data folder/);

    const target = path.join(work, 'a-restored');
    await restoreServerData(to, target, target, quiet);
    assert.equal(fs.readFileSync(path.join(target, 'vaults', 'v1', 'data', 'aa'), 'utf8'), 'pack bytes');
    const restored = await openSqliteStore({ file: path.join(target, 'coffer.db') });
    const migrations = await restored.db
      .selectFrom('schema_migrations' as never)
      .selectAll()
      .execute();
    await restored.close();
    assert.ok(migrations.length > 0, 'the restored database holds its schema history');
    await assert.rejects(restoreServerData(to, target, target, quiet), /not empty/);
  } finally {
    await store.close();
  }
});

it('refuses a damaged, incomplete or forged backup before writing anything', async () => {
  const { store, config } = await serverWithData('b');
  try {
    const to = path.join(work, 'b-backup');
    await backupServerData(config, to, quiet);
    const manifestFile = path.join(to, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    const attempt = async (name: string) => {
      const target = path.join(work, name);
      return restoreServerData(to, target, target, quiet).finally(() => assert.equal(fs.existsSync(path.join(target, 'coffer.db')), false, `${name}: nothing written`));
    };

    const db = path.join(to, 'coffer.db');
    const original = fs.readFileSync(db);
    const damaged = Buffer.from(original);
    flipByte(damaged, damaged.length - 100);
    fs.writeFileSync(db, damaged);
    await assert.rejects(attempt('b1'), /checksum/);
    fs.writeFileSync(db, original);

    fs.rmSync(path.join(to, 'vaults', 'v1', 'data', 'aa'));
    await assert.rejects(attempt('b2'), /incomplete/);
    fs.writeFileSync(path.join(to, 'vaults', 'v1', 'data', 'aa'), 'pack bytes');

    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, secrets: ['../../etc/passwd'] }));
    await assert.rejects(attempt('b3'), /manifest/);
    fs.rmSync(manifestFile);
    await assert.rejects(attempt('b4'), /no manifest\.json/);
  } finally {
    await store.close();
  }
});
