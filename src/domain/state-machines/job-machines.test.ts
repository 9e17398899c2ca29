import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMachine, cleanupMachine, restoreMachine } from './job-machines.js';
import { assertTransition, judgeTransition, TransitionError } from './state-machine.js';

// Written out by hand from docs/reference/rackspace-cloud-backup-v2.md §4.1: C = change, U = unchanged, 409 = refused by state, 403 = refused actor.
const AGENT_BACKUP: Record<string, string> = {
  'start_requested>queued': 'C',
  'start_scheduled>in_progress': 'C',
  'queued>preparing': 'C',
  'preparing>queued': '409',
  'in_progress>preparing': '409',
  'in_progress>in_progress': 'U',
  'in_progress>skipped': 'C',
  'stop_requested>stopped': 'C',
  'stop_requested>completed': 'C',
  'stop_requested>in_progress': '409',
  'completed>completed': 'U',
  'completed>failed': '409',
  'missed>queued': '409',
  'missed>missed': '403',
  'queued>stop_requested': '403',
};

describe('backup state machine', () => {
  for (const [pair, expected] of Object.entries(AGENT_BACKUP)) {
    // Every key above is "from>to".
    const [from, to] = pair.split('>') as [string, string];
    it(`agent ${from} → ${to}: ${expected}`, () => {
      const verdict = judgeTransition(backupMachine, from, to, 'agent');
      const got = verdict.outcome === 'change' ? 'C' : verdict.outcome === 'unchanged' ? 'U' : verdict.reason === 'actor' ? '403' : '409';
      assert.equal(got, expected);
    });
  }

  it('a user may only ask for a stop, from any state that has not ended', () => {
    for (const from of ['start_requested', 'start_scheduled', 'queued', 'preparing', 'in_progress']) {
      assert.equal(assertTransition(backupMachine, from, 'stop_requested', 'user'), 'change');
    }
    assert.throws(
      () => assertTransition(backupMachine, 'queued', 'completed', 'user'),
      (e: TransitionError) => e.reason === 'actor',
    );
    assert.throws(
      () => assertTransition(backupMachine, 'completed', 'stop_requested', 'user'),
      (e: TransitionError) => e.reason === 'state' && e.message === backupMachine.terminalMessage,
    );
  });

  it('the server puts a new backup in the queue; a queued backup goes on as before', () => {
    for (const from of ['start_requested', 'start_scheduled']) assert.equal(assertTransition(backupMachine, from, 'queued', 'server'), 'change');
    assert.equal(judgeTransition(backupMachine, 'queued', 'preparing', 'agent').outcome, 'change');
    assert.throws(
      () => assertTransition(backupMachine, 'in_progress', 'queued', 'server'),
      (e: TransitionError) => e.reason === 'state',
    );
    assert.throws(
      () => assertTransition(backupMachine, 'completed', 'queued', 'server'),
      (e: TransitionError) => e.reason === 'state',
    );
    assert.equal(judgeTransition(restoreMachine, 'start_requested', 'queued', 'server').outcome, 'refused');
  });

  it('the server alone marks a backup missed', () => {
    assert.equal(assertTransition(backupMachine, 'start_scheduled', 'missed', 'server'), 'change');
    assert.equal(judgeTransition(backupMachine, 'start_scheduled', 'missed', 'agent').outcome, 'refused');
  });

  it('the server may end a running job of any kind as failed (its agent was lost), but not one that has ended', () => {
    for (const machine of [backupMachine, restoreMachine, cleanupMachine]) {
      for (const from of ['queued', 'in_progress', 'stop_requested']) assert.equal(assertTransition(machine, from, 'failed', 'server'), 'change', `${machine.name} ${from}`);
      assert.throws(
        () => assertTransition(machine, 'completed', 'failed', 'server'),
        (e: TransitionError) => e.reason === 'state',
      );
      assert.equal(judgeTransition(machine, 'in_progress', 'completed', 'server').outcome, 'refused');
    }
  });

  it('the documented 409 texts', () => {
    assert.equal(backupMachine.terminalMessage, "Modifying a backup that is already in a state of ['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed'] is not allowed.");
    assert.equal(restoreMachine.terminalMessage, "Modifying a restore that is already in a state of ['completed', 'completed_with_errors', 'failed', 'stopped'] is not allowed.");
  });

  it('restores have no skipped state and cannot be set to it', () => {
    assert.equal(judgeTransition(restoreMachine, 'queued', 'skipped', 'agent').outcome, 'refused');
  });
});

// Every (from, to) pair of a cleanup, written out by hand from reference §4.3 and the §4.1 rules it shares:
// forward only, terminal from any non-terminal, stop_requested only ends. C = change, U = unchanged,
// 409 = refused by state, 403 = refused actor.
const CLEANUP_TARGETS = ['start_requested', 'start_scheduled', 'queued', 'in_progress', 'stop_requested', 'completed', 'completed_with_errors', 'failed', 'stopped'];
const CLEANUP_BY_ACTOR: Record<'agent' | 'user', Record<string, string>> = {
  //                        s_req s_sch queue in_pr stop_r compl c_w_e fail  stopd
  agent: {
    start_requested: '403   403   C     C     403    C     C     C     C',
    start_scheduled: '403   403   C     C     403    C     C     C     C',
    queued: '403   403   U     C     403    C     C     C     C',
    in_progress: '403   403   409   U     403    C     C     C     C',
    stop_requested: '403   403   409   409   403    C     C     C     C',
    completed: '403   403   409   409   403    U     409   409   409',
    completed_with_errors: '403   403   409   409   403    409   U     409   409',
    failed: '403   403   409   409   403    409   409   U     409',
    stopped: '403   403   409   409   403    409   409   409   U',
  },
  user: {
    start_requested: '403   403   403   403   C      403   403   403   403',
    start_scheduled: '403   403   403   403   C      403   403   403   403',
    queued: '403   403   403   403   C      403   403   403   403',
    in_progress: '403   403   403   403   C      403   403   403   403',
    stop_requested: '403   403   403   403   U      403   403   403   403',
    completed: '403   403   403   403   409    403   403   403   403',
    completed_with_errors: '403   403   403   403   409    403   403   403   403',
    failed: '403   403   403   403   409    403   403   403   403',
    stopped: '403   403   403   403   409    403   403   403   403',
  },
};

describe('cleanup state machine, every pair', () => {
  for (const actor of ['agent', 'user'] as const) {
    for (const [from, row] of Object.entries(CLEANUP_BY_ACTOR[actor])) {
      const expected = row.trim().split(/\s+/);
      it(`${actor} from ${from}`, () => {
        assert.equal(expected.length, CLEANUP_TARGETS.length);
        const got = CLEANUP_TARGETS.map((to) => {
          const verdict = judgeTransition(cleanupMachine, from, to, actor);
          return verdict.outcome === 'change' ? 'C' : verdict.outcome === 'unchanged' ? 'U' : verdict.reason === 'actor' ? '403' : '409';
        });
        assert.deepEqual(got, expected);
      });
    }
  }

  it('a cleanup has no preparing, skipped or missed state', () => {
    for (const state of ['preparing', 'skipped', 'missed']) assert.equal(judgeTransition(cleanupMachine, 'queued', state, 'agent').outcome, 'refused');
  });
});
