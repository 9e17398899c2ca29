import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ADD_OR_REPLACE, accept, refuse, REPLACE_ONLY, valueMust, type AllowedPath, type PatchAllowList } from './allow-list.js';
import { evaluateTests, readAllowListPatch } from './allow-list-patch.js';
import { JsonPatchError, type JsonPatchErrorKind } from './json-patch-error.js';

const LOG_LEVELS = ['all', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'];

const agentRules: PatchAllowList = {
  refusals: { style: 'brief' },
  paths: [
    { path: '/enabled', ops: ADD_OR_REPLACE, parse: valueMust((value) => typeof value === 'boolean', 'must be true or false') },
    {
      path: '/log_level',
      ops: ADD_OR_REPLACE,
      aliases: ['/log-level'],
      parse: valueMust((value) => typeof value === 'string' && LOG_LEVELS.includes(value), `must be one of ${LOG_LEVELS.join(', ')}`),
    },
    { path: '/vault/region', ops: ADD_OR_REPLACE },
  ],
};

const configurationRules: PatchAllowList = {
  refusals: { style: 'brief' },
  paths: [
    { path: '/name', ops: REPLACE_ONLY, parse: valueMust((value) => typeof value === 'string', 'must be a string') },
    { path: '/retention/days', ops: REPLACE_ONLY },
  ],
};

/** The job reports' wording (V2 jobs end sentences with '.'; V3 tasks do not). */
const jobPaths: AllowedPath[] = [
  { path: '/state', ops: ADD_OR_REPLACE, parse: (value) => (value === 'queued' ? accept(value) : refuse(`${JSON.stringify(value)} is not a valid state`)) },
  { path: '/ended_time', aliases: ['/ended-time'], ops: ADD_OR_REPLACE, parse: (value) => accept(value === null ? null : String(value).toUpperCase()) },
];
const jobRules: PatchAllowList = { refusals: { style: 'listing', sentenceEnd: '.' }, paths: jobPaths };
const taskRules: PatchAllowList = { refusals: { style: 'listing', sentenceEnd: '' }, paths: [{ ...jobPaths[0]!, ops: ['replace', 'add'] }] };

const interpret = readAllowListPatch;

function assertRefused(run: () => unknown, kind: JsonPatchErrorKind, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof JsonPatchError);
    assert.equal(error.message, message);
    assert.equal(error.kind, kind);
    return true;
  });
}

describe('readAllowListPatch', () => {
  it('turns add and replace into changes keyed by canonical path, aliases included', () => {
    const result = interpret(
      [
        { op: 'replace', path: '/log-level', value: 'warn' },
        { op: 'add', path: '/enabled', value: false },
        { op: 'replace', path: '/vault/region', value: 'ORD' },
      ],
      agentRules,
    );
    assert.deepStrictEqual(
      [...result.changes],
      [
        ['/log_level', 'warn'],
        ['/enabled', false],
        ['/vault/region', 'ORD'],
      ],
    );
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
    const rules: PatchAllowList = { refusals: { style: 'brief' }, paths: [{ path: '/retention', ops: REPLACE_ONLY }] };
    const result = readAllowListPatch([{ op: 'replace', path: '/retention', value }], rules);
    value.days = 4;
    assert.deepStrictEqual(result.changes.get('/retention'), { days: 3 });
  });

  it('refuses paths outside the rules, including children of listed paths', () => {
    assertRefused(() => interpret([{ op: 'replace', path: '/id', value: 1 }], agentRules), 'not_allowed', 'Operation 0: path "/id" cannot be changed');
    assertRefused(
      () =>
        interpret(
          [
            { op: 'replace', path: '/enabled', value: true },
            { op: 'replace', path: '/vault', value: {} },
          ],
          agentRules,
        ),
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
      () =>
        interpret(
          [
            { op: 'replace', path: '/enabled', value: true },
            { op: 'replace', path: '/log-level', value: 'LOUD' },
          ],
          agentRules,
        ),
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
      { op: 'test', path: '/log_level', value: 'info', index: 0 },
      { op: 'test', path: '/state', value: 'queued', index: 1 },
    ]);
    assert.deepStrictEqual([...result.changes], [['/log_level', 'warn']]);
  });

  it('refuses a test that follows a change of an overlapping path', () => {
    assertRefused(
      () =>
        interpret(
          [
            { op: 'replace', path: '/log_level', value: 'warn' },
            { op: 'test', path: '/log-level', value: 'warn' },
          ],
          agentRules,
        ),
      'not_allowed',
      'Operation 1: a test of path "/log-level" cannot follow a change to "/log_level" in the same patch; put tests first',
    );
    assertRefused(
      () =>
        interpret(
          [
            { op: 'replace', path: '/vault/region', value: 'ORD' },
            { op: 'test', path: '/vault', value: {} },
          ],
          agentRules,
        ),
      'not_allowed',
      'Operation 1: a test of path "/vault" cannot follow a change to "/vault/region" in the same patch; put tests first',
    );
    assert.doesNotThrow(() =>
      interpret(
        [
          { op: 'replace', path: '/enabled', value: true },
          { op: 'test', path: '/enabled_at', value: 1 },
        ],
        agentRules,
      ),
    );
  });

  it('validates the patch document it is given', () => {
    assertRefused(() => readAllowListPatch([{ op: 'replace', path: 'enabled', value: true }], agentRules), 'malformed', 'Operation 0: path "enabled" is not a valid JSON Pointer');
  });

  it('refuses rules that list a path twice', () => {
    const twice: PatchAllowList = {
      refusals: { style: 'brief' },
      paths: [
        { path: '/a', ops: REPLACE_ONLY },
        { path: '/b', ops: REPLACE_ONLY, aliases: ['/a'] },
      ],
    };
    assert.throws(() => readAllowListPatch([], twice), /listed twice/);
  });

  it('keeps the value the path parser returns', () => {
    const result = interpret([{ op: 'add', path: '/ended-time', value: 'z' }], jobRules);
    assert.deepStrictEqual([...result.changes], [['/ended_time', 'Z']]);
  });
});

describe('the listing wording of refusals', () => {
  it('names the paths that can change, path before op', () => {
    assertRefused(
      () =>
        interpret(
          [
            { op: 'replace', path: '/state', value: 'queued' },
            { op: 'remove', path: '/agent' },
          ],
          jobRules,
        ),
      'not_allowed',
      'Operation 1: path "/agent" cannot be changed; the paths that can are /state, /ended_time.',
    );
    assertRefused(() => interpret([{ op: 'replace', path: '/name', value: 'x' }], taskRules), 'not_allowed', 'Operation 0: path "/name" cannot be changed; the paths that can are /state');
  });

  it('names the ops a listed path takes, in the order the path lists them', () => {
    assertRefused(() => interpret([{ op: 'remove', path: '/ended_time' }], jobRules), 'not_allowed', 'Operation 0: op "remove" is not allowed on path "/ended_time"; use add or replace.');
    assertRefused(() => interpret([{ op: 'move', from: '/a', path: '/state' }], taskRules), 'not_allowed', 'Operation 0: op "move" is not allowed on path "/state"; use replace or add');
  });

  it("words a refused value by the path's reason", () => {
    assertRefused(() => interpret([{ op: 'replace', path: '/state', value: 'gone' }], jobRules), 'invalid_value', 'Operation 0: the value of "/state" "gone" is not a valid state.');
    assertRefused(() => interpret([{ op: 'replace', path: '/state', value: 'gone' }], taskRules), 'invalid_value', 'Operation 0: the value of "/state" "gone" is not a valid state');
  });
});

describe('evaluateTests', () => {
  const resource = { state: 'in_progress', log_level: 'info', vault: { region: 'ORD' } };

  it('passes when every test holds', () => {
    const { tests } = interpret(
      [
        { op: 'test', path: '/log-level', value: 'info' },
        { op: 'test', path: '/vault', value: { region: 'ORD' } },
      ],
      agentRules,
    );
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
