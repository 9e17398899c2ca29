import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { after, before, describe, it } from 'node:test';
import { AgentState } from './agent-state.js';
import { ScratchFolders } from './drill-scratch.js';
import { JobRefusal } from './jobs/job-runtime.js';

let dir: string;
let scratch: ScratchFolders;
let state: AgentState;

const refusal = (reason: string, text: RegExp) => (err: unknown) => err instanceof JobRefusal && err.reason === reason && text.test(err.message);

describe('drill scratch folders', { timeout: 10_000 }, () => {
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-scratch-'));
    state = new AgentState(path.join(dir, 'state.json'));
    await state.load();
    scratch = new ScratchFolders(state, pino({ level: 'silent' }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses "/", relative and unnormalised paths, writing nothing', async () => {
    for (const target of ['/', '//', 'relative', '/a/../b', '/a//b', null]) {
      await assert.rejects(scratch.prepare('r0', target), refusal('target_invalid', /absolute scratch folder other than "\/"/), String(target));
    }
    assert.deepEqual(state.scratchFolders(), {});
  });

  it('refuses a folder that holds anything, and a file in its place, leaving both untouched', async () => {
    const full = path.join(dir, 'full');
    fs.mkdirSync(full);
    fs.writeFileSync(path.join(full, 'precious'), 'keep');
    await assert.rejects(scratch.prepare('r1', full), refusal('target_not_empty', /is not empty \(1 entry, e\.g\. "precious"\).*Nothing was written/));
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'keep');
    await assert.rejects(scratch.prepare('r1', file), refusal('target_not_empty', /is not a directory/));
    const link = path.join(dir, 'link');
    fs.symlinkSync(path.join(dir, 'empty-elsewhere'), link);
    fs.mkdirSync(path.join(dir, 'empty-elsewhere'));
    await assert.rejects(scratch.prepare('r1', link), refusal('target_not_empty', /is not a directory/), 'a link to an empty folder is not the folder');
    // Removing an id this agent never prepared touches nothing.
    await scratch.remove('r1');
    assert.equal(fs.readFileSync(path.join(full, 'precious'), 'utf8'), 'keep');
    assert.equal(fs.readFileSync(file, 'utf8'), 'keep');
  });

  it('creates a new folder (and takes an empty one), remembers it across a restart, and removes only that', async () => {
    const fresh = path.join(dir, 'new', 'scratch');
    assert.equal(await scratch.prepare('r2', fresh), fresh);
    assert.equal(fs.statSync(fresh).mode & 0o777, 0o700);
    fs.writeFileSync(path.join(fresh, 'restored'), 'x');
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    await scratch.prepare('r3', `${empty}/`);
    const reloaded = new AgentState(path.join(dir, 'state.json'));
    await reloaded.load();
    assert.deepEqual(reloaded.scratchFolders(), { r2: fresh, r3: empty });
    // A restore resumed after a restart takes its own folder again, emptied.
    await scratch.prepare('r2', fresh);
    assert.deepEqual(fs.readdirSync(fresh), []);
    await scratch.remove('r2');
    assert.equal(fs.existsSync(fresh), false);
    assert.equal(fs.existsSync(path.join(dir, 'new')), true, 'only the scratch folder goes, not its parents');
    await scratch.removeAll();
    assert.equal(fs.existsSync(empty), false);
    assert.deepEqual(state.scratchFolders(), {});
  });
});
