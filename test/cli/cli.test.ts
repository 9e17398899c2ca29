import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT, userToken } from '../helpers/fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { AgentPlayer } from './agent-player.js';
import { makeHome, runCoffer, runCofferOnTerminal, spawnCoffer as spawnCofferRaw, type CofferResult } from './run-coffer.js';
import { itemAt } from '../helpers/indexing.js';

const PASSWORD = 'operator-password-1';

let t: TestServer;
let home: ReturnType<typeof makeHome>;
let player: AgentPlayer;
let operator: string;

const coffer = (args: string[], env: Record<string, string | undefined> = {}) => runCoffer(args, { home: home.home, env: { COFFER_PASSWORD: PASSWORD, ...env } });
const spawnCoffer = (args: string[]) => spawnCofferRaw(args, { home: home.home, env: { COFFER_PASSWORD: PASSWORD } });

function assertOneLineError(result: CofferResult): void {
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.match(itemAt(lines, 0), /^coffer: /);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

function json(result: CofferResult): any {
  assert.equal(result.code, 0, `exit ${result.code}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout);
}

before(async () => {
  t = await startTestServer();
  home = makeHome();
  operator = `operator-${process.pid}`;
  const created = await t.request('POST', '/admin/users', { token: ADMIN_TOKEN, body: { username: operator, password: PASSWORD, project_id: PROJECT, roles: ['cloudbackup:admin'] } });
  assert.equal(created.status, 201, created.text);
  player = await AgentPlayer.register(t, await userToken(t, 'admin'), PROJECT);
});

after(async () => {
  await player?.stop();
  await t?.close();
  home?.remove();
});

describe('coffer command line against a real server', () => {
  test('login stores the session readable only by its owner; whoami --json parses', async () => {
    await player.start();
    const login = await coffer(['login', '--api', t.url, '--user', operator]);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, new RegExp(`Logged in to .* as ${operator} \\(project ${PROJECT}\\)`));
    const file = path.join(home.configDir, 'coffer', 'cli.json');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(stored.api, t.url);
    assert.equal(stored.project, PROJECT);
    assert.ok(stored.token.length > 10);
    const who = json(await coffer(['whoami', '--json']));
    assert.equal(who.user, operator);
    assert.equal(who.project, PROJECT);
  });

  test('on a terminal, login asks for the password and does not echo it', async (ctx) => {
    const other = makeHome();
    try {
      const running = runCofferOnTerminal(['login', '--api', t.url, '--user', operator], {
        home: other.home,
        env: { COFFER_PASSWORD: undefined },
        answer: { prompt: `Password for ${operator}:`, text: PASSWORD },
      });
      if (!running) return ctx.skip('util-linux script is not installed: no pseudo-terminal to test on');
      const result = await running;
      assert.equal(result.code, 0, result.stdout);
      assert.match(result.stdout, new RegExp(`Password for ${operator}: `));
      assert.doesNotMatch(result.stdout, new RegExp(PASSWORD));
      assert.match(result.stdout, /Logged in to /);
    } finally {
      other.remove();
    }
  });

  test('a wrong password is one line with the server message and exit 1', async () => {
    const other = makeHome();
    try {
      const result = await runCoffer(['login', '--api', t.url, '--user', operator], { home: other.home, env: { COFFER_PASSWORD: 'wrong' } });
      assert.equal(result.code, 1);
      assertOneLineError(result);
      assert.match(result.stderr, /The username or password is wrong\./);
      // Not logged in: a usage error (2), one line.
      const agents = await runCoffer(['agents'], { home: other.home });
      assert.equal(agents.code, 2);
      assertOneLineError(agents);
    } finally {
      other.remove();
    }
  });

  test('usage errors exit 2; every command has --help with an example', async () => {
    const unknown = await coffer(['frobnicate']);
    assert.equal(unknown.code, 2);
    const missing = await coffer(['configs', 'create', '--name', 'x']);
    assert.equal(missing.code, 2);
    const commands = [[], ['agents', 'show'], ['configs', 'create'], ['backup', 'start'], ['restore'], ['tasks', 'run'], ['tasks'], ['logs'], ['events'], ['jobs']];
    const helps = await Promise.all(commands.map(async (args) => ({ command: args.join(' '), help: await coffer([...args, '--help']) })));
    for (const { command, help } of helps) {
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, /Examples:\n\s+\$ coffer /, `${command} --help has an example`);
    }
    const bash = await coffer(['completion', 'bash']);
    assert.equal(bash.code, 0);
    assert.match(bash.stdout, /complete -o default -F _coffer coffer/);
    assert.match(bash.stdout, /" configs"\) words="list show create edit enable disable retention remove/);
    const zsh = await coffer(['completion', 'zsh']);
    assert.match(zsh.stdout, /bashcompinit/);
  });

  test('agents lists the agent in a table that fits 80 columns, and as JSON', async () => {
    const list = await coffer(['agents']);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.stdout.includes(player.id.slice(0, 8)));
    assert.match(list.stdout, /Web Server +online/);
    for (const line of list.stdout.trimEnd().split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
    assert.doesNotMatch(list.stdout, /\u001b\[/, 'no colours when not on a terminal');
    const parsed = json(await coffer(['agents', '--json']));
    assert.equal(parsed.agents[0].id, player.id);
    const disabled = json(await coffer(['agents', 'disable', player.id.slice(0, 8), '--json']));
    assert.equal(disabled.enabled, false);
    const enabled = json(await coffer(['agents', 'enable', player.id, '--json']));
    assert.equal(enabled.enabled, true);
    const badLevel = await coffer(['agents', 'log-level', player.id, 'loud']);
    assert.equal(badLevel.code, 2);
    const level = json(await coffer(['agents', 'log-level', player.id, 'debug', '--json']));
    assert.equal(level.log_level, 'debug');
    const spare = await AgentPlayer.register(t, await userToken(t, 'admin'), PROJECT);
    const removed = json(await coffer(['agents', 'remove', spare.id, '--json']));
    assert.deepEqual(removed, { id: spare.id, deleted: true });
    const after = json(await coffer(['agents', '--json']));
    assert.deepEqual(
      after.agents.map((a: any) => a.id),
      [player.id],
    );
    const shown = await coffer(['agents', 'show', 'Web Server']);
    assert.match(shown.stdout, /status: +online/);
  });

  test('configs create turns schedule phrases into RRULEs; edit changes them; bad phrases are usage errors', async () => {
    const created = json(
      await coffer([
        'configs',
        'create',
        '--agent',
        player.id,
        '--name',
        'Web files',
        '--include',
        '/srv/www',
        '--exclude',
        '/srv/www/cache',
        '--schedule',
        'daily 02:00',
        '--tz',
        'Europe/Berlin',
        '--retention-days',
        '14',
        '--notify-email',
        'ops@example.com',
        '--json',
      ]),
    );
    assert.deepEqual(created.schedule.recurrence, ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0']);
    assert.equal(created.schedule.time_zone, 'Europe/Berlin');
    assert.deepEqual(created.inclusions, [{ type: 'folder', path: '/srv/www/' }]);
    assert.equal(created.retention.days, 14);

    const edited = json(await coffer(['configs', 'edit', 'Web files', '--schedule', 'weekly mon,thu 14:00', '--json']));
    assert.deepEqual(edited.schedule.recurrence, ['RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0']);
    assert.equal(edited.schedule.time_zone, 'Europe/Berlin');

    const bad = await coffer(['configs', 'edit', 'Web files', '--schedule', 'every 5 minutes']);
    assert.equal(bad.code, 2);
    assertOneLineError(bad);
    assert.match(bad.stderr, /--schedule: /);

    // The server's own rule (an exclusion must be under an inclusion) comes back as its message, exit 1.
    const refused = await coffer(['configs', 'create', '--agent', player.id, '--name', 'Bad', '--include', '/srv/www', '--exclude', '/etc', '--notify-email', 'ops@example.com']);
    assert.equal(refused.code, 1);
    assertOneLineError(refused);

    const spare = json(await coffer(['configs', 'create', '--agent', player.id, '--name', 'Spare', '--include', 'file:/etc/hosts', '--notify-email', 'ops@example.com', '--json']));
    assert.equal(spare.schedule, null, 'no --schedule: manual only');
    assert.deepEqual(spare.inclusions, [{ type: 'file', path: '/etc/hosts' }]);
    assert.equal(json(await coffer(['configs', 'disable', 'Spare', '--json'])).enabled, false);
    assert.equal(json(await coffer(['configs', 'enable', spare.id.slice(0, 8), '--json'])).enabled, true);
    assert.deepEqual(json(await coffer(['configs', 'remove', 'Spare', '--json'])), { id: spare.id, deleted: true });
    assert.equal((await t.request('GET', `/v2/${PROJECT}/configurations/${spare.id}`)).body.deleted, true);

    const table = await coffer(['configs']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /Web files +Web Server +weekly mon,thu 14:00 /);
    for (const line of table.stdout.trimEnd().split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
    const shown = await coffer(['configs', 'show', 'Web files']);
    assert.match(shown.stdout, /schedule: +weekly mon,thu 14:00 Europe\/Berlin/);
  });

  test("configs create and edit set the configuration's own bandwidth and backup window; show prints them; what the server refuses names its field", async () => {
    const created = json(await coffer(['configs', 'create', '--agent', player.id, '--name', 'Paced', '--include', '/srv/paced', '--notify-email', 'ops@example.com', '--upload', '10MB', '--json']));
    assert.deepEqual(created.bandwidth, { upload_bytes_per_second: 10_000_000, download_bytes_per_second: null });
    const edited = json(await coffer(['configs', 'edit', 'Paced', '--upload', 'unlimited', '--download', '2MB', '--json']));
    assert.deepEqual(edited.bandwidth, { upload_bytes_per_second: null, download_bytes_per_second: 2_000_000 });
    const shown = await coffer(['configs', 'show', 'Paced']);
    assert.match(shown.stdout, /bandwidth: +upload unlimited, download 2\.0 MB\/s/, shown.stderr);
    const tooSmall = await coffer(['configs', 'edit', 'Paced', '--upload', '1000']);
    assert.equal(tooSmall.code, 1);
    assertOneLineError(tooSmall);
    assert.match(tooSmall.stderr, /bandwidth\.upload_bytes_per_second must be at least 1024/);
    const badUnit = await coffer(['configs', 'edit', 'Paced', '--download', 'fast']);
    assert.equal(badUnit.code, 2);

    const windowed = json(await coffer(['configs', 'edit', 'Paced', '--window', '22:00-06:00', '--outside', 'stop', '--json']));
    assert.deepEqual(windowed.backup_window, { start: '22:00', end: '06:00', outside: 'stop' });
    assert.match((await coffer(['configs', 'show', 'Paced'])).stdout, /window: +22:00-06:00 UTC; outside it a running scheduled backup stops/);
    const sameEnds = await coffer(['configs', 'edit', 'Paced', '--window', '22:00-22:00']);
    assert.equal(sameEnds.code, 1);
    assert.match(sameEnds.stderr, /backup_window\.end must differ from backup_window\.start/);
    assert.equal((await coffer(['configs', 'edit', 'Paced', '--window', '7-8'])).code, 2);
    assert.equal(json(await coffer(['configs', 'edit', 'Paced', '--window', 'none', '--json'])).backup_window, null);
    assert.deepEqual(json(await coffer(['configs', 'remove', 'Paced', '--json'])), { id: created.id, deleted: true });
  });

  test('configs retention sets keep rules, and --dry-run lists what stays (and by which rule) and what goes', async () => {
    const created = json(await coffer(['configs', 'create', '--agent', player.id, '--name', 'Kept', '--include', '/srv/kept', '--notify-email', 'ops@example.com', '--json']));
    player.script = { totalBytes: 1000, files: 1, steps: 1, stepMs: 10, end: 'completed' };
    for (let i = 0; i < 3; i++) assert.equal((await coffer(['backup', 'start', 'Kept', '--watch'])).code, 0);
    const set = await coffer(['configs', 'retention', 'Kept', '--days', '0', '--keep-last', '1']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /Retention of Kept: keep_last 1\./);
    const plan = await coffer(['configs', 'retention', 'Kept', '--dry-run']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /Retention of Kept: keep_last 1 \(time zone UTC/);
    assert.equal(plan.stdout.split('\n').filter((line) => /^keep .* keep_last$/.test(line)).length, 1, plan.stdout);
    assert.equal(plan.stdout.split('\n').filter((line) => /^go /.test(line)).length, 2, plan.stdout);
    assert.match(plan.stdout, /1 kept, 2 to go at the next cleanup\./);
    const asJson = json(await coffer(['configs', 'retention', 'Kept', '--dry-run', '--json']));
    const viaApi = (await t.request('GET', `/v2/${PROJECT}/configurations/${created.id}/retention`)).body;
    assert.deepEqual(asJson.keep, viaApi.keep);
    assert.deepEqual(asJson.remove, viaApi.remove);
    const preview = json(await coffer(['configs', 'retention', 'Kept', '--keep-last', '3', '--dry-run', '--json']));
    assert.equal(preview.keep.length, 3);
    assert.deepEqual(json(await coffer(['configs', 'show', 'Kept', '--json'])).retention, { days: 0, keep_last: 1 }, 'a dry run stores nothing');
    const negative = await coffer(['configs', 'retention', 'Kept', '--keep-daily', '-1']);
    assert.equal(negative.code, 2);
    assert.match(negative.stderr, /--keep-daily must be a whole number of 0 or more/);
    const badDuration = await coffer(['configs', 'retention', 'Kept', '--keep-within', '2w']);
    assert.equal(badDuration.code, 1);
    assertOneLineError(badDuration);
    assert.match(badDuration.stderr, /retention\.keep_within must be a duration/);
    assert.deepEqual(json(await coffer(['configs', 'remove', 'Kept', '--json'])), { id: created.id, deleted: true });
  });

  test("backup start --watch draws progress from the agent's events and exits 0 when completed", async () => {
    player.script = { totalBytes: 40_000_000, files: 120, steps: 4, stepMs: 400, end: 'completed' };
    const result = await coffer(['backup', 'start', 'Web files', '--watch']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const lines = result.stdout.split('\n');
    const bars = lines.filter((line) => /^\[[#-]{20}\]\s+\d+%/.test(line));
    assert.ok(bars.length >= 2, `progress lines expected:\n${result.stdout}`);
    const percents = bars.map((line) => Number(/(\d+)%/.exec(line)![1]));
    assert.deepEqual(
      [...percents].sort((a, b) => a - b),
      percents,
      'progress only grows',
    );
    assert.equal(percents.at(-1), 100);
    assert.match(bars.at(-1)!, /40\.0 MB \/ 40\.0 MB/);
    assert.ok(
      bars.some((line) => /\d+(\.\d)? [KMG]?B\/s/.test(line)),
      'a rate',
    );
    assert.ok(
      bars.some((line) => /ETA /.test(line)),
      'an ETA',
    );
    assert.ok(
      bars.some((line) => /files \d+\/120/.test(line)),
      'files done / total',
    );
    assert.match(result.stdout, /backup in_progress/);
    assert.match(result.stdout, /Backup completed in \d+s: 120 of 120 files backed up, 40\.0 MB in the snapshot, [\d.]+ [KMG]?B added to the vault/);
    assert.doesNotMatch(result.stdout, /^0 B/m, 'no bar before anything is known');
  });

  test('on a terminal: colours (never with NO_COLOR) and one progress line drawn over itself', async (ctx) => {
    const env = { COFFER_PASSWORD: PASSWORD };
    const coloured = runCofferOnTerminal(['agents'], { home: home.home, env });
    if (!coloured) return ctx.skip('util-linux script is not installed: no pseudo-terminal to test on');
    const agents = await coloured;
    assert.equal(agents.code, 0, agents.stdout);
    assert.match(agents.stdout, /\u001b\[32monline\u001b\[39m/);
    const plain = await runCofferOnTerminal(['agents'], { home: home.home, env: { ...env, NO_COLOR: '1' } })!;
    assert.match(plain.stdout, /Web Server +online/);
    assert.doesNotMatch(plain.stdout, /\u001b\[3\dm/);

    player.script = { totalBytes: 8_000_000, files: 8, steps: 4, stepMs: 300, end: 'completed' };
    const watched = await runCofferOnTerminal(['backup', 'start', 'Web files', '--watch'], { home: home.home, env })!;
    assert.equal(watched.code, 0, watched.stdout);
    const redraws = watched.stdout.split('\r\u001b[2K').length - 1;
    assert.ok(redraws >= 2, `the bar is redrawn in place (${redraws} times):\n${JSON.stringify(watched.stdout)}`);
    assert.match(watched.stdout, /Backup \u001b\[32mcompleted\u001b\[39m in/);
  });

  test('a backup that completes with errors exits 1 and lists the errors; --json --watch prints the final job', async () => {
    player.script = { totalBytes: 1_000_000, files: 10, steps: 1, stepMs: 100, end: 'completed_with_errors' };
    const result = await coffer(['backup', 'start', 'Web files', '--watch']);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /Backup completed_with_errors/);
    assert.match(result.stdout, /1 error \(unable_to_process_some_files\)/);
    assert.match(result.stdout, /\/srv\/www\/locked\.db/);

    player.script = { totalBytes: 1_000_000, files: 10, steps: 1, stepMs: 100, end: 'failed' };
    const failed = await coffer(['backup', 'start', 'Web files', '--watch', '--json']);
    assert.equal(failed.code, 1);
    assert.equal(JSON.parse(failed.stdout).state, 'failed');
  });

  test('stop asks a running backup to stop; its watch then exits 1', async () => {
    player.script = { totalBytes: 50_000_000, files: 50, steps: 100, stepMs: 200, end: 'completed' };
    const started = json(await coffer(['backup', 'start', 'Web files', '--json']));
    const watching = coffer(['watch', started.id]);
    // Wait until it runs, then stop it by a short id.
    for (let i = 0; i < 50; i++) {
      const job = await t.request('GET', `/v2/${PROJECT}/backups/${started.id}`);
      if (job.body.state === 'in_progress') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stop = await coffer(['stop', started.id.slice(0, 8)]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /Asked backup .* to stop; it is (stop_requested|stopped)\./);
    const watched = await watching;
    assert.equal(watched.code, 1, watched.stdout);
    assert.match(watched.stdout, /Backup stopped/);
    assert.doesNotMatch(watched.stdout, /0 of 0/);
  });

  test('events --follow prints new events as they happen', async () => {
    await player.start();
    // At least one event exists, so the follow prints one line when it is listening.
    await t.request('POST', `/v2/${PROJECT}/agents/${player.id}/events`, { token: player.agent.token, headers: { 'x-agent-id': player.id }, body: { event: 'agent_heartbeat' } });
    const child = spawnCoffer(['events', '--follow', '--json', '--limit', '1']);
    let seen = '';
    child.stdout!.on('data', (chunk) => (seen += chunk));
    // The most recent event comes first: from then on the follow is listening.
    for (let i = 0; i < 300 && !seen.includes('\n'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(seen.includes('\n'), 'events --follow printed the latest event');
    const started = await t.request('POST', `/v2/${PROJECT}/cleanups`, { body: { agent_id: player.id, state: 'start_requested' } });
    assert.equal(started.status, 201, started.text);
    for (let i = 0; i < 100 && !seen.includes('cleanup_completed'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGINT');
    await new Promise((resolve) => child.on('close', resolve));
    const names = seen
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).event);
    assert.ok(names.includes('cleanup_start_request'), names.join(' '));
    assert.ok(names.includes('cleanup_completed'), names.join(' '));
  });

  test('backups --restorable, restore --watch, jobs and events', async () => {
    const restorable = json(await coffer(['backups', '--restorable', '--config', 'Web files', '--json']));
    assert.ok(restorable.backups.length >= 1, 'the completed backup is restorable');
    assert.ok(restorable.backups.every((b: any) => b.restorable === true));
    const backupId = restorable.backups[0].id;
    const restore = await coffer(['restore', backupId.slice(0, 8), '--agent', player.id, '--path', '/tmp/restore-here', '--watch']);
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, /\] 100% .*\nrestore completed\nRestore completed in \d+s: 12 files, 10\.0 MB restored to \/tmp\/restore-here\./);

    const jobs = json(await coffer(['jobs', '--json']));
    assert.ok(jobs.activities.some((a: any) => a.id === backupId && a.type === 'backup'));
    const table = await coffer(['jobs']);
    for (const line of table.stdout.trimEnd().split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
    const events = await coffer(['events', '--limit', '50']);
    assert.equal(events.code, 0, events.stderr);
    assert.match(events.stdout, /restore_completed/);
    const eventsJson = json(await coffer(['events', '--json']));
    assert.ok(Array.isArray(eventsJson.events));
  });

  test('cleanup start --watch and stop of a finished job', async () => {
    const cleanup = await coffer(['cleanup', 'start', player.id, '--watch']);
    assert.equal(cleanup.code, 0, cleanup.stderr + cleanup.stdout);
    assert.match(cleanup.stdout, /Cleanup completed/);
    const id = /Started cleanup ([0-9a-f-]{36})/.exec(cleanup.stdout)?.[1];
    assert.ok(id);
    const stop = await coffer(['stop', id.slice(0, 8)]);
    assert.equal(stop.code, 1, 'a finished job cannot be stopped');
    assertOneLineError(stop);
  });

  test("logs --download waits for the agent's upload and saves the gzip file", async () => {
    const result = await coffer(['logs', player.id, '--download', '-o', 'agent.log.gz']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const saved = fs.readFileSync(path.join(home.home, 'agent.log.gz'));
    assert.equal(saved[0], 0x1f);
    assert.equal(saved[1], 0x8b);
    const list = json(await coffer(['logs', player.id, '--json']));
    assert.ok(list.logfiles.some((f: any) => f.state === 'completed'));
  });

  test('tasks: run with labels, label, select with a selector, output', async () => {
    const prod = json(await coffer(['tasks', 'run', player.id, '--name', 'uptime-prod', '--label', 'env=prod', '--watch', '--json', '--', 'uptime', '-p']));
    assert.equal(prod.state, 'SUCCEEDED');
    const dev = json(await coffer(['tasks', 'run', player.id, '--name', 'uptime-dev', '--label', 'env=dev', '--json', '--', 'uptime']));
    const labelled = json(await coffer(['tasks', 'label', prod.guid, 'tier=web', '--json']));
    assert.deepEqual(labelled.metadata.labels, { env: 'prod', tier: 'web' });
    const selected = json(await coffer(['tasks', '--selector', 'env=prod,tier in (web,db)', '--json']));
    assert.deepEqual(
      selected.resources.map((r: any) => r.guid),
      [prod.guid],
    );
    const notProd = json(await coffer(['tasks', '--selector', 'env!=prod', '--json']));
    assert.deepEqual(
      notProd.resources.map((r: any) => r.guid),
      [dev.guid],
    );
    const output = await coffer(['tasks', 'output', prod.guid]);
    assert.equal(output.code, 0, output.stderr);
    assert.equal(output.stdout, 'ran: uptime -p\n');
    const annotated = json(await coffer(['tasks', 'annotate', prod.guid.slice(0, 8), 'ticket=OPS-42', '--json']));
    assert.deepEqual(annotated.metadata.annotations, { ticket: 'OPS-42' });
    const unlabelled = json(await coffer(['tasks', 'label', prod.guid, 'tier-', '--json']));
    assert.deepEqual(unlabelled.metadata.labels, { env: 'prod' });
    const shown = await coffer(['tasks', 'show', prod.guid.slice(0, 8)]);
    assert.match(shown.stdout, /state: +SUCCEEDED/);
    assert.match(shown.stdout, /command: +uptime -p/);
    assert.match(shown.stdout, /annotations: +ticket=OPS-42/);

    // A long task: cancel it; the agent confirms and it fails as cancelled.
    const long = json(await coffer(['tasks', 'run', player.id, '--name', 'long', '--memory', '256', '--json', '--', 'sleep', '600']));
    assert.equal(long.memory_in_mb, 256);
    for (let i = 0; i < 50; i++) {
      if ((await t.request('GET', `/v3/tasks/${long.guid}`)).body.state === 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const cancelled = await coffer(['tasks', 'cancel', long.guid]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /Task long \([0-9a-f-]{36}\) is CANCELING\./);
    const ended = await coffer(['watch', long.guid]);
    assert.equal(ended.code, 1, 'a cancelled task ends FAILED');
    assert.match(ended.stdout, /Task long FAILED: task was cancelled\./);
    const again = await coffer(['tasks', 'cancel', long.guid]);
    assert.equal(again.code, 1);
    assertOneLineError(again);
    assert.match(again.stderr, /Task state is FAILED and therefore cannot be canceled/);

    const badSelector = await coffer(['tasks', '--selector', 'env in prod']);
    assert.equal(badSelector.code, 1);
    assertOneLineError(badSelector);
    const watched = await coffer(['tasks', 'run', player.id, '--watch', '--', 'echo hello world']);
    assert.equal(watched.code, 0, watched.stderr + watched.stdout);
    assert.match(watched.stdout, /Task .* SUCCEEDED\.\nran: echo hello world/);
  });

  test('an expired token is renewed with the password; without one the error says to log in again', async () => {
    const file = path.join(home.configDir, 'coffer', 'cli.json');
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...stored, token: 'expired-token', expires: '2000-01-01T00:00:00Z' }), { mode: 0o600 });
    const refused = await coffer(['agents'], { COFFER_PASSWORD: undefined });
    assert.equal(refused.code, 1);
    assertOneLineError(refused);
    assert.match(refused.stderr, /session has expired; run coffer login again/);
    const renewed = await coffer(['agents', '--json']);
    assert.equal(renewed.code, 0, renewed.stderr);
    const after = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.notEqual(after.token, 'expired-token');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const logout = await coffer(['logout']);
    assert.equal(logout.code, 0);
    assert.equal(fs.existsSync(file), false);
  });
});
