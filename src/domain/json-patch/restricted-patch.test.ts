import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { JsonPatchError, type JsonPatchErrorKind } from './json-patch-error.js';
import { validatePatchDocument } from './patch-operation.js';
import { evaluateTests, interpretRestrictedPatch, type RestrictedPatchRules } from './restricted-patch.js';

const LOG_LEVELS = ['all', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'];

const agentRules: RestrictedPatchRules = {
  '/enabled': { ops: 'add-or-replace', validate: (value) => typeof value === 'boolean' || 'must be true or false' },
  '/log_level': {
    ops: 'add-or-replace',
    aliases: ['/log-level'],
    validate: (value) => (typeof value === 'string' && LOG_LEVELS.includes(value)) || `must be one of ${LOG_LEVELS.join(', ')}`,
  },
  '/vault/region': { ops: 'add-or-replace' },
};

const configurationRules: RestrictedPatchRules = {
  '/name': { ops: 'replace', validate: (value) => typeof value === 'string' || 'must be a string' },
  '/retention/days': { ops: 'replace' },
};

function interpret(body: unknown, rules: RestrictedPatchRules) {
  return interpretRestrictedPatch(validatePatchDocument(body), rules);
}

function assertRefused(run: () => unknown, kind: JsonPatchErrorKind, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof JsonPatchError);
    assert.equal(error.message, message);
    assert.equal(error.kind, kind);
    return true;
  });
}

describe('interpretRestrictedPatch', () => {
  it('turns add and replace into changes keyed by canonical path, aliases included', () => {
    const result = interpret(
      [
        { op: 'replace', path: '/log-level', value: 'warn' },
        { op: 'add', path: '/enabled', value: false },
        { op: 'replace', path: '/vault/region', value: 'ORD' },
      ],
      agentRules,
    );
    assert.deepStrictEqual([...result.changes], [
      ['/log_level', 'warn'],
      ['/enabled', false],
      ['/vault/region', 'ORD'],
    ]);
    assert.deepStrictEqual(result.tests, []);
  });

  it('keeps the last value when a path is written twice', () => {
    const result = interpret(
      [
        { op: 'replace', path: '/log_level', value: 'warn' },
        { op: 'replace', path: '/log-level', value: 'debug' },
      ],
      agentRules,
    );
    assert.deepStrictEqual([...result.changes], [['/log_level', 'debug']]);
  });

  it('copies values so later edits of the request do not leak in', () => {
    const value = { days: 3 };
    const rules: RestrictedPatchRules = { '/retention': { ops: 'replace' } };
    const result = interpretRestrictedPatch([{ op: 'replace', path: '/retention', value }], rules);
    value.days = 4;
    assert.deepStrictEqual(result.changes.get('/retention'), { days: 3 });
  });

  it('refuses paths outside the rules, including children of listed paths', () => {
    assertRefused(() => interpret([{ op: 'replace', path: '/id', value: 1 }], agentRules), 'not_allowed', 'Operation 0: path "/id" cannot be changed');
    assertRefused(
      () => interpret([{ op: 'replace', path: '/enabled', value: true }, { op: 'replace', path: '/vault', value: {} }], agentRules),
      'not_allowed',
      'Operation 1: path "/vault" cannot be changed',
    );
    assertRefused(() => interpret([{ op: 'replace', path: '/vault/region/x', value: 1 }], agentRules), 'not_allowed', 'Operation 0: path "/vault/region/x" cannot be changed');
  });

  it('refuses remove, move and copy', () => {
    assertRefused(() => interpret([{ op: 'remove', path: '/enabled' }], agentRules), 'not_allowed', 'Operation 0: op "remove" is not allowed (path "/enabled")');
    assertRefused(() => interpret([{ op: 'move', from: '/enabled', path: '/log_level' }], agentRules), 'not_allowed', 'Operation 0: op "move" is not allowed (path "/log_level")');
    assertRefused(() => interpret([{ op: 'copy', from: '/enabled', path: '/log_level' }], agentRules), 'not_allowed', 'Operation 0: op "copy" is not allowed (path "/log_level")');
  });

  it('refuses add where only replace is allowed', () => {
    assert.deepStrictEqual([...interpret([{ op: 'replace', path: '/name', value: 'n' }], configurationRules).changes], [['/name', 'n']]);
    assertRefused(() => interpret([{ op: 'add', path: '/name', value: 'n' }], configurationRules), 'not_allowed', 'Operation 0: op "add" is not allowed for path "/name"; use "replace"');
  });

  it('runs the validator and names op, path and value', () => {
    assertRefused(
      () => interpret([{ op: 'replace', path: '/enabled', value: true }, { op: 'replace', path: '/log-level', value: 'LOUD' }], agentRules),
      'invalid_value',
      'Operation 1: value "LOUD" is not valid for path "/log-level": must be one of all, trace, debug, info, warn, error, fatal',
    );
    assertRefused(() => interpret([{ op: 'add', path: '/enabled', value: 'yes' }], agentRules), 'invalid_value', 'Operation 0: value "yes" is not valid for path "/enabled": must be true or false');
  });

  it('shortens long values in messages', () => {
    const long = 'x'.repeat(200);
    assertRefused(
      () => interpret([{ op: 'replace', path: '/enabled', value: long }], agentRules),
      'invalid_value',
      `Operation 0: value "${'x'.repeat(76)}... is not valid for path "/enabled": must be true or false`,
    );
  });

  it('returns tests separately, with alias paths made canonical', () => {
    const result = interpret(
      [
        { op: 'test', path: '/log-level', value: 'info' },
        { op: 'test', path: '/state', value: 'queued' },
        { op: 'replace', path: '/log_level', value: 'warn' },
      ],
      agentRules,
    );
    assert.deepStrictEqual(result.tests, [
      { op: 'test', path: '/log_level', value: 'info' },
      { op: 'test', path: '/state', value: 'queued' },
    ]);
    assert.deepStrictEqual([...result.changes], [['/log_level', 'warn']]);
  });

  it('refuses a test that follows a change of an overlapping path', () => {
    assertRefused(
      () => interpret([{ op: 'replace', path: '/log_level', value: 'warn' }, { op: 'test', path: '/log-level', value: 'warn' }], agentRules),
      'not_allowed',
      'Operation 1: a test of path "/log-level" cannot follow a change to "/log_level" in the same patch; put tests first',
    );
    assertRefused(
      () => interpret([{ op: 'replace', path: '/vault/region', value: 'ORD' }, { op: 'test', path: '/vault', value: {} }], agentRules),
      'not_allowed',
      'Operation 1: a test of path "/vault" cannot follow a change to "/vault/region" in the same patch; put tests first',
    );
    assert.doesNotThrow(() => interpret([{ op: 'replace', path: '/enabled', value: true }, { op: 'test', path: '/enabled_at', value: 1 }], agentRules));
  });

  it('validates the patch document it is given', () => {
    assertRefused(
      () => interpretRestrictedPatch([{ op: 'replace', path: 'enabled', value: true }], agentRules),
      'malformed',
      'Operation 0: path "enabled" is not a valid JSON Pointer',
    );
  });

  it('refuses rules that list a path twice', () => {
    assert.throws(() => interpretRestrictedPatch([], { '/a': { ops: 'replace' }, '/b': { ops: 'replace', aliases: ['/a'] } }), /listed twice/);
  });
});

describe('evaluateTests', () => {
  const resource = { state: 'in_progress', log_level: 'info', vault: { region: 'ORD' } };

  it('passes when every test holds', () => {
    const { tests } = interpret([{ op: 'test', path: '/log-level', value: 'info' }, { op: 'test', path: '/vault', value: { region: 'ORD' } }], agentRules);
    assert.doesNotThrow(() => evaluateTests(resource, tests));
  });

  it('names the failing op by its position in the client patch', () => {
    const { tests } = interpret(
      [
        { op: 'replace', path: '/enabled', value: true },
        { op: 'test', path: '/state', value: 'in_progress' },
        { op: 'test', path: '/log-level', value: 'warn' },
      ],
      agentRules,
    );
    assertRefused(() => evaluateTests(resource, tests), 'test_failed', 'Operation 2: test failed: the value at path "/log_level" is not equal to the given value');
  });

  it('treats a missing or inherited member as a failed test', () => {
    assertRefused(() => evaluateTests(resource, [{ op: 'test', path: '/nope', value: null }]), 'test_failed', 'Operation 0: test failed: path "/nope" does not exist');
    assertRefused(() => evaluateTests(resource, [{ op: 'test', path: '/constructor', value: {} }]), 'test_failed', 'Operation 0: test failed: path "/constructor" does not exist');
  });
});
