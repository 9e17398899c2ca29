import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalBackend } from '../../src/engine/backend/local-backend.js';
import { writeCraftedSnapshot } from '../../src/engine/testing/crafted-vault.js';
import { describeOutside } from '../../src/engine/testing/outside-watch.js';
import { TEST_SCRYPT } from '../../src/engine/testing/temp-dir.js';
import { initVault } from '../../src/engine/vault/vault.js';
import { makeHome, runCoffer } from './run-coffer.js';

/*
 * `coffer vault restore` and `coffer vault check` on a vault an attacker wrote with the vault's own key: entries
 * named `..`, `a/b` behind a symlink `a`, and a repeated name. The program reports each one, restores the rest,
 * and nothing outside the target is created or changed.
 */
const PASSWORD = 'crafted-vault-password';

describe('coffer vault restore on a hostile vault', { timeout: 60_000 }, () => {
  it('restores nothing outside the target, reports every refused entry, and check names the tree', async () => {
    const home = makeHome();
    try {
      const box = path.join(home.home, 'box');
      const target = path.join(box, 'target');
      const outside = path.join(home.home, 'outside');
      const repo = path.join(home.home, 'vault');
      fs.mkdirSync(target, { recursive: true });
      fs.mkdirSync(outside);
      const vault = await initVault(new LocalBackend(repo), PASSWORD, { scrypt: TEST_SCRYPT });
      await vault.close();
      await writeCraftedSnapshot(new LocalBackend(repo), PASSWORD, [
        { type: 'dir', name: '..', mode: 0o777, entries: [{ type: 'file', name: 'planted', data: 'x' }] },
        { type: 'symlink', name: 'a', target: outside },
        { type: 'file', name: 'a/b', data: 'through the link' },
        { type: 'symlink', name: 'twice', target: outside },
        { type: 'dir', name: 'twice', entries: [{ type: 'file', name: 'planted', data: 'x' }] },
        { type: 'file', name: 'fine.txt', data: 'fine' },
      ]);
      const before = { box: describeOutside(box, [target]), outside: describeOutside(outside) };
      const env = { COFFER_VAULT_PASSWORD: PASSWORD };

      const restore = await runCoffer(['vault', 'restore', 'latest', '--repo', repo, '--target', target], { home: home.home, env });
      assert.equal(restore.code, 3, restore.stderr + restore.stdout);
      const reported = restore.stderr.trim().split('\n').sort();
      assert.deepEqual(reported, [
        'error: /..: refused: the name ".." is not allowed; not restored',
        'error: /a/b: refused: the name contains "/"; not restored',
        'error: /twice: refused: another entry of the directory has the same name; not restored',
        'error: /twice: refused: another entry of the directory has the same name; not restored',
      ]);
      assert.match(restore.stdout, /restored 1 file \(.*\), 0 folders, 1 symlink in /);
      assert.deepEqual(describeOutside(box, [target]), before.box);
      assert.deepEqual(describeOutside(outside), before.outside);
      assert.deepEqual(fs.readdirSync(target).sort(), ['a', 'fine.txt']);

      const check = await runCoffer(['vault', 'check', '--repo', repo], { home: home.home, env });
      assert.equal(check.code, 1, check.stdout);
      assert.match(check.stderr, /error: snapshot \d+: tree [0-9a-f]{12} of \/: entry "\.\." is refused: the name "\.\." is not allowed/);
      assert.match(check.stderr, /entry "twice" is refused: another entry of the directory has the same name/);
      assert.match(check.stdout, /4 errors found/);
    } finally {
      home.remove();
    }
  });
});
