import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PROJECT, userToken } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { AgentPlayer } from './agent-player.js';
import { makeHome, runCoffer } from './run-coffer.js';

const PASSWORD = 'operator-password-2';
let t: TestServer;
let home: ReturnType<typeof makeHome>;
let player: AgentPlayer;

const coffer = (args: string[]) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: PASSWORD } });

before(async () => {
  t = await startTestServer();
  home = makeHome();
  const operator = `exclusions-${process.pid}`;
  const created = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: operator, password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
  assert.equal(created.status, 201, created.text);
  player = await AgentPlayer.register(t, await userToken(t, 'admin'), PROJECT);
  assert.equal((await coffer(['login', '--api', t.url, '--user', operator])).code, 0);
});

after(async () => {
  await player?.stop();
  await t?.close();
  home?.remove();
});

describe('coffer configs exclusion flags', { timeout: 120_000 }, () => {
  test('create takes patterns (no longer refused as "not under any inclusion") and the other kinds; edit changes only the kinds it names', async () => {
    const create = await coffer([
      'configs',
      'create',
      '--agent',
      player.id,
      '--name',
      'Home',
      '--include',
      '/home',
      '--exclude',
      '*.log,**/*.{jpg,png}',
      '--exclude',
      '/home/tmp',
      '--iexclude',
      '*.TMP',
      '--exclude-if-present',
      '.nobackup',
      '--exclude-caches',
      '--exclude-larger-than',
      '1G',
      '--one-file-system',
      '--notify-email',
      'ops@example.com',
      '--json',
    ]);
    assert.equal(create.code, 0, create.stderr);
    const created = JSON.parse(create.stdout);
    assert.deepEqual(created.exclusions, [
      { type: 'pattern', path: '*.log' },
      { type: 'pattern', path: '**/*.{jpg,png}' },
      { type: 'folder', path: '/home/tmp/' },
      { type: 'pattern', path: '*.TMP', ignore_case: true },
      { type: 'if_present', path: '.nobackup' },
      { type: 'caches' },
      { type: 'larger_than', size: 1073741824 },
      { type: 'other_file_systems' },
    ]);

    const edit = await coffer(['configs', 'edit', 'Home', '--exclude', 'node_modules', '--no-exclude-caches', '--exclude-larger-than', 'none', '--json']);
    assert.equal(edit.code, 0, edit.stderr);
    assert.deepEqual(JSON.parse(edit.stdout).exclusions, [{ type: 'pattern', path: 'node_modules' }, { type: 'if_present', path: '.nobackup' }, { type: 'other_file_systems' }]);

    const shown = await coffer(['configs', 'show', 'Home']);
    assert.match(shown.stdout, /excludes: +node_modules, --exclude-if-present \.nobackup, --one-file-system/);

    const bad = await coffer(['configs', 'edit', 'Home', '--exclude', 'a[']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--exclude a\[: is not a valid glob/);
  });
});
