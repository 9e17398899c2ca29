import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRILL_RUN_STATES, drillRunMachine } from './drill-machine.js';
import { judgeTransition } from './state-machine.js';

// Every pair for the server, by hand: C = change, U = unchanged, 409 = refused by state, 403 = not the server's to set.
const SERVER: Record<string, string> = {
  'restoring>restoring': '403',
  'restoring>checking': 'C',
  'restoring>passed': 'C',
  'restoring>failed': 'C',
  'checking>restoring': '403',
  'checking>checking': 'U',
  'checking>passed': 'C',
  'checking>failed': 'C',
  'passed>restoring': '403',
  'passed>checking': '409',
  'passed>passed': 'U',
  'passed>failed': '409',
  'failed>restoring': '403',
  'failed>checking': '409',
  'failed>passed': '409',
  'failed>failed': 'U',
};

const verdict = (from: string, to: string, actor: 'server' | 'agent' | 'user') => {
  const v = judgeTransition(drillRunMachine, from, to, actor);
  return v.outcome === 'change' ? 'C' : v.outcome === 'unchanged' ? 'U' : v.reason === 'actor' ? '403' : '409';
};

describe('drill run state machine', () => {
  it('covers every pair of states for the server', () => {
    for (const from of DRILL_RUN_STATES) for (const to of DRILL_RUN_STATES) assert.equal(verdict(from, to, 'server'), SERVER[`${from}>${to}`], `${from} → ${to}`);
  });

  it('lets neither agents nor users move a run', () => {
    for (const from of DRILL_RUN_STATES)
      for (const to of DRILL_RUN_STATES) {
        assert.equal(verdict(from, to, 'agent'), '403');
        assert.equal(verdict(from, to, 'user'), '403');
      }
  });
});
