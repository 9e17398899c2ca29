import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { makeHome, REPO_ROOT, runCoffer } from './run-coffer.js';

/*
 * The operator's day with the real agent: `coffer agent register` and `coffer agent run` (the same program) on this
 * host, then everything else through the coffer client against a real server: a configuration, a backup with
 * --watch, a byte-identical restore with --watch, and a task.
 */

const PASSWORD = 'ops-password-123';
let t: TestServer;
let home: ReturnType<typeof makeHome>;
let agent: ChildProcess | undefined;
let treeDir: string;
let restoreDir: string;
const configPath = () => path.join(home.home, 'agent', 'agent.json');

const coffer = (args: string[]) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: PASSWORD }, timeoutMs: 90_000 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  t = await startTestServer();
  home = makeHome();
  treeDir = path.join(home.home, 'www');
  restoreDir = path.join(home.home, 'restored');
  fs.mkdirSync(path.join(treeDir, 'img'), { recursive: true });
  fs.writeFileSync(path.join(treeDir, 'index.html'), '<h1>hello</h1>\n'.repeat(100));
  fs.writeFileSync(path.join(treeDir, 'img', 'photo.bin'), randomBytes(3 * 1024 * 1024));
  const user = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: 'ops', password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
  assert.equal(user.status, 201, user.text);
});

after(async () => {
  agent?.kill('SIGKILL');
  await sleep(200);
  await t?.close();
  home?.remove();
});

describe('coffer with the real agent', { timeout: 240_000 }, () => {
  test('register and run the agent, back up with --watch, restore byte for byte, run a task', async () => {
    assert.equal((await coffer(['login', '--api', t.url, '--user', 'ops'])).code, 0);
    const register = await coffer(['agent', 'register', '--api', t.url, '--user', 'ops', '--name', 'web-1', '--config', configPath(), '--allow-tasks', '--task-allow', 'echo']);
    assert.equal(register.code, 0, register.stderr + register.stdout);

    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home.home, XDG_CONFIG_HOME: path.join(home.home, 'config') };
    delete env.NODE_TEST_CONTEXT;
    agent = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src', 'main.ts'), 'agent', 'run', '--config', configPath()], {
      cwd: home.home,
      env,
      stdio: 'ignore',
    });

    let online = false;
    for (let i = 0; i < 60 && !online; i++) {
      const agents = await coffer(['agents', '--json']);
      online = JSON.parse(agents.stdout).agents.some((a: any) => a.name === 'web-1' && a.status?.online);
      if (!online) await sleep(500);
    }
    assert.ok(online, 'the agent comes online');
    // The agent says which Coffer it is and which distribution it runs on (os-release), not a made-up version or the kernel's.
    const shown = JSON.parse((await coffer(['agents', 'show', 'web-1', '--json'])).stdout);
    assert.equal(shown.version, JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
    const osRelease = fs.readFileSync('/etc/os-release', 'utf8');
    assert.equal(shown.host.os.name, /^NAME="?([^"\n]+)"?/m.exec(osRelease)![1]);
    assert.equal(shown.host.os.version, /^VERSION_ID="?([^"\n]+)"?/m.exec(osRelease)![1]);
    const table = await coffer(['agents', 'show', 'web-1']);
    assert.match(table.stdout, new RegExp(`version: +${shown.version.replace(/\./g, '\\.')}\n`));
    assert.match(table.stdout, /registered: +\d{4}-\d\d-\d\d \d\d:\d\d \S+\n/, 'a time with its zone');

    const created = await coffer(['configs', 'create', '--agent', 'web-1', '--name', 'www', '--include', treeDir, '--schedule', 'daily 02:00', '--tz', 'UTC', '--notify-email', 'ops@example.com']);
    assert.equal(created.code, 0, created.stderr);

    const backup = await coffer(['backup', 'start', 'www', '--watch']);
    assert.equal(backup.code, 0, backup.stderr + backup.stdout);
    assert.match(backup.stdout, /backup in_progress/);
    assert.match(backup.stdout, /Backup completed in \d+s: 2 of 2 files backed up, [\d.]+ MB in the snapshot, [\d.]+ MB added to the vault/);

    const restorable = JSON.parse((await coffer(['backups', '--restorable', '--json'])).stdout).backups;
    assert.equal(restorable.length, 1);
    const restore = await coffer(['restore', restorable[0].id.slice(0, 8), '--agent', 'web-1', '--path', restoreDir, '--watch']);
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, /Restore completed in \d+s: 2 files/);
    for (const rel of ['index.html', 'img/photo.bin']) {
      assert.deepEqual(fs.readFileSync(path.join(restoreDir, treeDir, rel)), fs.readFileSync(path.join(treeDir, rel)), rel);
    }

    const task = await coffer(['tasks', 'run', 'web-1', '--name', 'greet', '--watch', '--', 'echo', 'hello from the agent']);
    assert.equal(task.code, 0, task.stderr + task.stdout);
    assert.match(task.stdout, /Task greet SUCCEEDED\.\nhello from the agent/);
    // The host's allow-list holds only `echo`: anything else is refused by the agent, which says why.
    const refused = await coffer(['tasks', 'run', 'web-1', '--name', 'peek', '--watch', '--', 'cat', '/etc/shadow']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /refused by the agent: the command is not on this agent's allow-list \("tasks\.allowedCommands" in .*: "echo"\)/);
    const chained = await coffer(['tasks', 'run', 'web-1', '--name', 'chain', '--watch', '--', 'echo hi; cat /etc/shadow']);
    assert.match(chained.stdout + chained.stderr, /may not hold ; & \|/);

    // Encrypt the vault with the operator's password; from then on a restore needs it, encrypted for the agent.
    const vaultPassword = 'operator-vault-password';
    const encrypt = await runCoffer(['agents', 'encrypt', 'web-1', '--wait'], { home: home.home, env: { COFFER_PASSWORD: PASSWORD, COFFER_VAULT_PASSWORD: vaultPassword }, timeoutMs: 90_000 });
    assert.equal(encrypt.code, 0, encrypt.stderr + encrypt.stdout);
    assert.match(encrypt.stdout, /vault is encrypted/);
    assert.equal(JSON.parse((await coffer(['agents', 'show', 'web-1', '--json'])).stdout).vault.encrypted, true);
    const withoutPassword = await coffer(['restore', restorable[0].id, '--agent', 'web-1', '--path', `${restoreDir}-2`]);
    assert.equal(withoutPassword.code, 1, 'no password and no terminal to ask on');
    assert.equal(withoutPassword.stderr.trim().split('\n').length, 1);
    const again = await runCoffer(['restore', restorable[0].id, '--agent', 'web-1', '--path', `${restoreDir}-2`, '--watch'], {
      home: home.home,
      env: { COFFER_PASSWORD: PASSWORD, COFFER_VAULT_PASSWORD: vaultPassword },
      timeoutMs: 90_000,
    });
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const events = await t.request('GET', `/v2/${PROJECT}/events?limit=1000`, { token: ADMIN_TOKEN });
    const request = events.body.events.find((e: any) => e.event === 'restore_start_request'); // newest first
    assert.match(request.encrypted_password_hex, /^[0-9a-f]{512}$/, 'the password travels encrypted for the agent');
    assert.doesNotMatch(JSON.stringify(events.body), new RegExp(vaultPassword));
    assert.deepEqual(fs.readFileSync(path.join(`${restoreDir}-2`, treeDir, 'img/photo.bin')), fs.readFileSync(path.join(treeDir, 'img/photo.bin')));
  });
});
