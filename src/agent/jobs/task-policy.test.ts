import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decideTask, taskSettingsProblems } from './task-policy.js';

const CONFIG = '/etc/coffer/agent.json';
const task = (command: string, user: string | null = null) => ({ command, user });

it('refuses every task until the owner enables tasks, naming how', () => {
  for (const settings of [undefined, {}, { enabled: false }]) {
    const decision = decideTask(settings, task('echo hi'), CONFIG);
    assert.equal(decision.allowed, false);
    assert.match((decision as { reason: string }).reason, /tasks are disabled on this agent; .*--allow-tasks.*\/etc\/coffer\/agent\.json/);
  }
});

it('runs as nobody by default, as the configured user, and as a requested user only when the host lists it', () => {
  assert.deepEqual(decideTask({ enabled: true }, task('id'), CONFIG), { allowed: true, user: 'nobody' });
  assert.deepEqual(decideTask({ enabled: true, user: 'backup' }, task('id'), CONFIG), { allowed: true, user: 'backup' });
  assert.deepEqual(decideTask({ enabled: true, users: ['www-data'] }, task('id', 'www-data'), CONFIG), { allowed: true, user: 'www-data' });
  const root = decideTask({ enabled: true }, task('id', 'root'), CONFIG);
  assert.equal(root.allowed, false);
  assert.match((root as { reason: string }).reason, /runs tasks as "nobody"; user "root" is not in the host's list/);
});

it('holds commands to the allow-list by whole words, and refuses shell control characters under one', () => {
  const settings = { enabled: true, allowedCommands: ['systemctl status', 'df'] };
  for (const ok of ['df', 'df -h', 'systemctl status nginx', '  df -h  ']) assert.equal(decideTask(settings, task(ok), CONFIG).allowed, true, ok);
  for (const bad of ['dfx', 'systemctl stop nginx', 'rm -rf /', 'df; cat /etc/shadow', 'df && id', 'df | sh', 'df `id`', 'df $(id)', 'df > /etc/passwd', 'df\nid', 'df \\\nid']) {
    const decision = decideTask(settings, task(bad), CONFIG);
    assert.equal(decision.allowed, false, bad);
  }
  assert.match((decideTask(settings, task('id'), CONFIG) as { reason: string }).reason, /not on this agent's allow-list .*"systemctl status", "df"/);
  // Without an allow-list the shell is the shell.
  assert.equal(decideTask({ enabled: true }, task('echo a; echo b'), CONFIG).allowed, true);
});

it('finds every problem of a tasks section', () => {
  assert.deepEqual(taskSettingsProblems(undefined), []);
  assert.deepEqual(taskSettingsProblems({ enabled: true, user: 'nobody', users: ['www-data'], allowedCommands: ['df'] }), []);
  assert.deepEqual(taskSettingsProblems([]), ['"tasks" must be an object']);
  const problems = taskSettingsProblems({ enabled: 'yes', user: 'root', users: ['a b'], allowedCommands: ['df; id'], extra: 1 });
  assert.equal(problems.length, 5, problems.join('\n'));
});
