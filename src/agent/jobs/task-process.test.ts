import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { killGroup, resolveRunAs, startTaskProcess } from './task-process.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-task-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function run(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, output })));
}

const limits = { memoryMb: 256, diskMb: 1 };

/** Processes of a group that still run (zombies waiting to be reaped by init do not count). */
function liveMembersOfGroup(pgid: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pgid=,stat=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((line) => {
    const [group, stat] = line.trim().split(/\s+/);
    return Number(group) === pgid && stat !== undefined && !stat.startsWith('Z');
  });
}

it('runs the command with a shell in its directory and passes it unquoted', async () => {
  const result = await run(startTaskProcess(`echo "it's $((6*7))" && pwd && printf %s "$COFFER_TASK_NAME"`, scratch, limits, undefined, { COFFER_TASK_NAME: 'n1' }));
  assert.equal(result.code, 0);
  assert.equal(result.output, `it's 42\n${fs.realpathSync(scratch)}\nn1`);
});

it('applies the disk limit to files the command writes', async () => {
  const result = await run(startTaskProcess('head -c 3000000 /dev/zero > big.bin', scratch, limits, undefined, {}));
  assert.notEqual(result.code, 0);
  assert.ok(fs.statSync(path.join(scratch, 'big.bin')).size <= 1024 * 1024);
});

it('applies the memory limit', async () => {
  const result = await run(startTaskProcess(`${process.execPath} -e "Buffer.alloc(600*1024*1024, 1); console.log('allocated')"`, scratch, limits, undefined, {}));
  assert.notEqual(result.code, 0);
  assert.doesNotMatch(result.output, /allocated/);
});

it('cancel ends the command and what it started', async () => {
  const child = startTaskProcess('sleep 30 & sleep 30; wait', scratch, limits, undefined, {});
  const done = run(child);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  killGroup(child, 1_000);
  const result = await done;
  assert.ok(result.signal !== null || result.code !== 0);
  assert.ok(Date.now() - started < 2_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(liveMembersOfGroup(child.pid!), [], 'no process of the group is left running');
});

it('runs as another user only when the agent is root', async (t) => {
  assert.equal(resolveRunAs(null), undefined);
  assert.equal(resolveRunAs(os.userInfo().username), undefined);
  if (process.getuid?.() !== 0) {
    assert.throws(() => resolveRunAs('nobody'), /not as root/);
    return;
  }
  const runAs = resolveRunAs('nobody');
  assert.ok(runAs && runAs.uid !== 0);
  const result = await run(startTaskProcess('id -un', '/', limits, runAs, {}));
  assert.equal(result.output.trim(), 'nobody');
  assert.throws(() => resolveRunAs('no-such-user-coffer'), /no user/);
  t.diagnostic('ran as nobody');
});
