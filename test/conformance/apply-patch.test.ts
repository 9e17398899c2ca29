import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applyPatch } from '../helpers/apply-patch.js';
import { JsonPatchError, type JsonPatchErrorKind } from '../../src/domain/json-patch/json-patch-error.js';
import { validatePatchDocument, type PatchOperation } from '../../src/domain/json-patch/patch-operation.js';
import { readConformance } from './read-conformance.js';
import { itemAt } from '../helpers/indexing.js';

interface ConformanceRecord {
  comment?: string;
  doc: unknown;
  patch: unknown;
  expected?: unknown;
  error?: string;
  disabled?: boolean;
}

/** What the server does with a request body: validate the document, then apply it. */
function patchLikeTheServer(doc: unknown, body: unknown): unknown {
  return applyPatch(doc, validatePatchDocument(body));
}

function snapshot(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

const MALFORMED_HINTS = new Set(['invalid escape', 'patch not an array', 'invalid op', 'invalid path']);

/** extra-service-cases.json hints are free text; this is the kind each one must produce. */
function expectedKind(record: ConformanceRecord): JsonPatchErrorKind {
  if (MALFORMED_HINTS.has(record.error ?? '')) return 'malformed';
  const operations = record.patch as PatchOperation[];
  return itemAt(operations, -1).op === 'test' ? 'test_failed' : 'unapplicable';
}

function runSuite(file: string, expectedCounts: { total: number; enabled: number }, checkKinds = false): void {
  const records = readConformance(`json-patch/${file}`) as ConformanceRecord[];
  describe(`json-patch/${file}`, () => {
    it(`has ${expectedCounts.total} records, ${expectedCounts.enabled} enabled`, () => {
      assert.equal(records.length, expectedCounts.total);
      assert.equal(records.filter((record) => !record.disabled).length, expectedCounts.enabled);
    });
    for (const [index, record] of records.entries()) {
      const name = `#${index} ${record.comment ?? JSON.stringify(record.patch).slice(0, 70)}`;
      if (record.disabled) continue;
      it(name, () => {
        const before = snapshot(record.doc);
        if (record.error !== undefined) {
          assert.throws(() => patchLikeTheServer(record.doc, record.patch), (error: unknown) => {
            assert.ok(error instanceof JsonPatchError, `expected JsonPatchError, got ${String(error)}`);
            assert.match(error.message, /^(Operation \d+: |The patch document)/);
            if (checkKinds) assert.equal(error.kind, expectedKind(record), error.message);
            return true;
          });
        } else {
          assert.deepStrictEqual(patchLikeTheServer(record.doc, record.patch), record.expected);
        }
        assert.deepStrictEqual(record.doc, before, 'the input document is unchanged');
      });
    }
  });
}

runSuite('tests.json', { total: 95, enabled: 92 });
runSuite('spec_tests.json', { total: 17, enabled: 16 });
runSuite('extra-service-cases.json', { total: 33, enabled: 33 }, true);

function assertPatchError(run: () => unknown, kind: JsonPatchErrorKind, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof JsonPatchError);
    assert.equal(error.message, message);
    assert.equal(error.kind, kind);
    return true;
  });
}

describe('applyPatch purity and atomicity', () => {
  it('returns a new document and leaves the input alone on success', () => {
    const input = { a: { b: [1, 2] }, c: 'x' };
    const output = applyPatch(input, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'remove', path: '/c' },
    ]);
    assert.deepStrictEqual(output, { a: { b: [1, 2, 3] } });
    assert.deepStrictEqual(input, { a: { b: [1, 2] }, c: 'x' });
  });

  it('shares nothing with the input or the patch values', () => {
    const input = { a: { b: 1 } };
    const value = { deep: [1] };
    const output = applyPatch(input, [{ op: 'add', path: '/v', value }]) as { a: { b: number }; v: { deep: number[] } };
    output.a.b = 2;
    output.v.deep.push(2);
    assert.deepStrictEqual(input, { a: { b: 1 } });
    assert.deepStrictEqual(value, { deep: [1] });
  });

  it('leaves the input unchanged when a later operation fails', () => {
    const input = { list: [1, 2, 3], name: 'n' };
    assertPatchError(
      () =>
        applyPatch(input, [
          { op: 'remove', path: '/list/0' },
          { op: 'replace', path: '/name', value: 'm' },
          { op: 'move', from: '/missing', path: '/x' },
        ]),
      'unapplicable',
      'Operation 2: from "/missing" does not exist',
    );
    assert.deepStrictEqual(input, { list: [1, 2, 3], name: 'n' });
  });

  it('replaces the root', () => {
    assert.equal(applyPatch({ a: 1 }, [{ op: 'replace', path: '', value: 42 }]), 42);
    assert.deepStrictEqual(applyPatch([1], [{ op: 'add', path: '', value: { b: 2 } }]), { b: 2 });
  });
});

describe('applyPatch error messages and kinds', () => {
  const doc = { a: [1, 2], o: { k: 'v' }, s: 'text' };
  const cases: [string, PatchOperation[], JsonPatchErrorKind, string][] = [
    ['missing target', [{ op: 'remove', path: '/nope' }], 'unapplicable', 'Operation 0: path "/nope" does not exist'],
    ['missing parent', [{ op: 'add', path: '/x/y/z', value: 1 }], 'unapplicable', 'Operation 0: the parent of path "/x/y/z" does not exist: "/x" does not exist'],
    ['leading zero', [{ op: 'replace', path: '/a/01', value: 1 }], 'unapplicable', 'Operation 0: path "/a/01" does not exist: "01" is not a valid array index'],
    ['add past the end', [{ op: 'add', path: '/a/3', value: 1 }], 'unapplicable', 'Operation 0: array index 3 is out of bounds in path "/a/3" (array length 2)'],
    ['"-" in remove', [{ op: 'remove', path: '/a/-' }], 'unapplicable', 'Operation 0: path "/a/-" does not exist: "-" refers to the nonexistent element after the end of an array'],
    ['"-" mid-path', [{ op: 'add', path: '/a/-/b', value: 1 }], 'unapplicable', 'Operation 0: the parent of path "/a/-/b" does not exist: "-" refers to the nonexistent element after the end of an array'],
    ['scalar parent', [{ op: 'add', path: '/s/x', value: 1 }], 'unapplicable', 'Operation 0: the parent of path "/s/x" is not an object or array'],
    ['below a scalar', [{ op: 'remove', path: '/s/x/y' }], 'unapplicable', 'Operation 0: path "/s/x/y" does not exist: "/s" is not an object or array'],
    ['move into own child', [{ op: 'move', from: '/o', path: '/o/k/deeper' }], 'unapplicable', 'Operation 0: cannot move "/o" into its own child "/o/k/deeper"'],
    ['remove root', [{ op: 'remove', path: '' }], 'unapplicable', 'Operation 0: cannot remove the whole document (path "")'],
    ['failed test', [{ op: 'test', path: '/o', value: { k: 'w' } }], 'test_failed', 'Operation 0: test failed: the value at path "/o" is not equal to the given value'],
    ['test of a missing path', [{ op: 'test', path: '/o/z', value: null }], 'test_failed', 'Operation 0: test failed: path "/o/z" does not exist'],
  ];
  for (const [name, patch, kind, message] of cases) {
    it(name, () => assertPatchError(() => applyPatch(doc, patch), kind, message));
  }

  it('treats moving to the same location as a no-op (the source must still exist)', () => {
    assert.deepStrictEqual(applyPatch(doc, [{ op: 'move', from: '/o', path: '/o' }]), doc);
    assertPatchError(() => applyPatch(doc, [{ op: 'move', from: '/q', path: '/q' }]), 'unapplicable', 'Operation 0: from "/q" does not exist');
  });

  it('does not treat "/ab" as a child of "/a" when moving', () => {
    assert.deepStrictEqual(applyPatch({ a: 1 }, [{ op: 'move', from: '/a', path: '/ab' }]), { ab: 1 });
  });

  it('compares with structural equality in test', () => {
    const subject = { o: { x: 1, y: [true, null] } };
    assert.doesNotThrow(() => applyPatch(subject, [{ op: 'test', path: '/o', value: { y: [true, null], x: 1 } }]));
    assertPatchError(() => applyPatch(subject, [{ op: 'test', path: '/o/y/0', value: 1 }]), 'test_failed', 'Operation 0: test failed: the value at path "/o/y/0" is not equal to the given value');
    assertPatchError(() => applyPatch(subject, [{ op: 'test', path: '/o/y', value: [null, true] }]), 'test_failed', 'Operation 0: test failed: the value at path "/o/y" is not equal to the given value');
  });
});

describe('validatePatchDocument', () => {
  const cases: [string, unknown, string][] = [
    ['not an array', { op: 'add' }, 'The patch document must be a JSON array of operations'],
    ['element not an object', [1], 'Operation 0: must be a JSON object'],
    ['element is an array', [[]], 'Operation 0: must be a JSON object'],
    ['op missing', [{ path: '/a' }], 'Operation 0: "op" is missing'],
    ['op not a string', [{ op: 1, path: '/a' }], 'Operation 0: "op" must be a string'],
    ['unknown op', [{ op: 'get', path: '/a' }], 'Operation 0: op "get" is not one of add, remove, replace, move, copy, test'],
    ['op differs in case', [{ op: 'ADD', path: '/a', value: 1 }], 'Operation 0: op "ADD" is not one of add, remove, replace, move, copy, test'],
    ['path missing', [{ op: 'remove' }], 'Operation 0: "path" is missing'],
    ['invalid path', [{ op: 'test', path: '/a', value: 1 }, { op: 'remove', path: '/a' }, { op: 'remove', path: '/foo~2' }], 'Operation 2: path "/foo~2" is not a valid JSON Pointer'],
    ['path without slash', [{ op: 'remove', path: 'a' }], 'Operation 0: path "a" is not a valid JSON Pointer'],
    ['from missing', [{ op: 'copy', path: '/b' }], 'Operation 0: "from" is missing'],
    ['from not a string', [{ op: 'move', from: 5, path: '/b' }], 'Operation 0: "from" must be a string'],
    ['invalid from', [{ op: 'move', from: '/x~', path: '/b' }], 'Operation 0: from "/x~" is not a valid JSON Pointer'],
    ['value missing', [{ op: 'add', path: '/b' }], 'Operation 0: "value" is required for op "add"'],
    ['inherited value does not count', [Object.create({ value: 1 }, { op: { value: 'replace', enumerable: true }, path: { value: '/b', enumerable: true } })], 'Operation 0: "value" is required for op "replace"'],
    ['inherited op does not count', [Object.create({ op: 'remove' }, { path: { value: '/b', enumerable: true } })], 'Operation 0: "op" is missing'],
  ];
  for (const [name, body, message] of cases) {
    it(name, () => assertPatchError(() => validatePatchDocument(body), 'malformed', message));
  }

  it('refuses values nested more than 1000 levels deep instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level++) deep = [deep];
    assertPatchError(
      () => validatePatchDocument([{ op: 'add', path: '/a', value: deep }]),
      'malformed',
      'Operation 0: "value" nests arrays or objects more than 1000 levels deep',
    );
    let limit: unknown = 1;
    for (let level = 0; level < 1000; level++) limit = { a: limit };
    assert.deepStrictEqual(applyPatch({}, [{ op: 'add', path: '/a', value: limit }]), { a: limit });
  });

  it('records the operation index and path on the error', () => {
    try {
      validatePatchDocument([{ op: 'remove', path: '/ok' }, { op: 'remove', path: '/bad~' }]);
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof JsonPatchError);
      assert.equal(error.operationIndex, 1);
      assert.equal(error.path, '/bad~');
    }
  });

  it('keeps only the members each op uses, and accepts null values and the empty patch', () => {
    assert.deepStrictEqual(validatePatchDocument([]), []);
    assert.deepStrictEqual(
      validatePatchDocument([
        { op: 'add', path: '/a', value: null, extra: 1 },
        { op: 'remove', path: '/b', value: 3 },
        { op: 'copy', from: '/a', path: '/c', value: 1 },
      ]),
      [
        { op: 'add', path: '/a', value: null },
        { op: 'remove', path: '/b' },
        { op: 'copy', from: '/a', path: '/c' },
      ],
    );
  });
});

describe('prototype safety', () => {
  function assertPrototypeClean(): void {
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
    assert.equal(Object.hasOwn(Array.prototype, 'polluted'), false);
  }

  const probes: [string, unknown, unknown][] = [
    ['add under __proto__', {}, [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }]],
    ['add under constructor.prototype', {}, [{ op: 'add', path: '/constructor/prototype/polluted', value: 'yes' }]],
    ['replace __proto__ member that is not there', {}, [{ op: 'replace', path: '/__proto__', value: { polluted: 'yes' } }]],
    ['copy from __proto__', {}, [{ op: 'copy', from: '/__proto__', path: '/x' }]],
    ['move from constructor', {}, [{ op: 'move', from: '/constructor', path: '/x' }]],
    ['test inherited __proto__', {}, [{ op: 'test', path: '/__proto__', value: {} }]],
    ['add under a nested __proto__', { a: {} }, [{ op: 'add', path: '/a/__proto__/polluted', value: 'yes' }]],
    ['array __proto__ token', { a: [] }, [{ op: 'add', path: '/a/__proto__', value: 'yes' }]],
    ['remove hasOwnProperty', {}, [{ op: 'remove', path: '/hasOwnProperty' }]],
  ];
  for (const [name, doc, patch] of probes) {
    it(`refuses: ${name}`, () => {
      assert.throws(() => patchLikeTheServer(doc, patch), JsonPatchError);
      assertPrototypeClean();
    });
  }

  it('stores "__proto__" as an own member without touching any prototype', () => {
    const result = patchLikeTheServer({}, [
      { op: 'add', path: '/__proto__', value: { polluted: 'yes' } },
      { op: 'add', path: '/__proto__/more', value: 1 },
    ]) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.ok(Object.hasOwn(result, '__proto__'));
    assert.deepStrictEqual(JSON.parse(JSON.stringify(result)), JSON.parse('{"__proto__":{"polluted":"yes","more":1}}'));
    assert.equal(result.polluted, undefined);
    assertPrototypeClean();
  });

  it('works on documents that already hold a "__proto__" member (JSON.parse output)', () => {
    const doc = JSON.parse('{"__proto__":{"a":1},"b":{"__proto__":[1]}}') as unknown;
    const result = patchLikeTheServer(doc, [
      { op: 'test', path: '/__proto__/a', value: 1 },
      { op: 'replace', path: '/__proto__/a', value: 2 },
      { op: 'copy', from: '/b/__proto__', path: '/c' },
      { op: 'move', from: '/__proto__', path: '/d' },
    ]) as Record<string, unknown>;
    assert.equal(JSON.stringify(result), '{"b":{"__proto__":[1]},"c":[1],"d":{"a":2}}');
    assert.equal(Object.getPrototypeOf(result.b), Object.prototype);
    assertPrototypeClean();
  });
});
