import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatPointer, getByPointer, JsonPointerSyntaxError, lookupPointer, parsePointer } from './json-pointer.js';
import { JsonPatchError } from './json-patch-error.js';
import { validatePatchDocument } from './patch-operation.js';
import { readConformance } from '../../../test/conformance/read-conformance.js';

interface SyntaxCase {
  description: string;
  data: unknown;
  valid: boolean;
}
const syntaxGroups = readConformance('json-pointer/json-schema-test-suite-format-json-pointer.json') as { tests: SyntaxCase[] }[];
const syntaxCases = syntaxGroups.flatMap((group) => group.tests);

interface Rfc6901Examples {
  document: unknown;
  pointers: { pointer: string; expected: unknown }[];
  uriFragments: { fragment: string; expected: unknown }[];
}
const rfc6901 = readConformance('json-pointer/rfc6901-examples.json') as Rfc6901Examples;

describe('JSON Pointer syntax (JSON-Schema-Test-Suite format "json-pointer")', () => {
  it('loads all 40 cases', () => assert.equal(syntaxCases.length, 40));

  for (const [index, testCase] of syntaxCases.entries()) {
    if (typeof testCase.data === 'string') {
      const pointer = testCase.data;
      it(`#${index} ${testCase.description}`, () => {
        if (testCase.valid) {
          const tokens = parsePointer(pointer);
          assert.equal(formatPointer(tokens), pointer, 'a valid pointer survives parse + format unchanged');
        } else {
          assert.throws(() => parsePointer(pointer), JsonPointerSyntaxError);
        }
      });
    } else {
      // JSON Schema ignores non-strings; in a JSON Patch a non-string path is a malformed patch.
      it(`#${index} ${testCase.description}: a non-string path is refused by the patch validator`, () => {
        assert.throws(
          () => validatePatchDocument([{ op: 'remove', path: testCase.data }]),
          (error: unknown) => {
            assert.ok(error instanceof JsonPatchError);
            assert.equal(error.kind, 'malformed');
            assert.equal(error.message, 'Operation 0: "path" must be a string');
            return true;
          },
        );
      });
    }
  }
});

describe('RFC 6901 §5 examples (JSON-string form)', () => {
  it('has the 12 examples', () => assert.equal(rfc6901.pointers.length, 12));
  for (const { pointer, expected } of rfc6901.pointers) {
    it(`evaluates ${JSON.stringify(pointer)}`, () => {
      const tokens = parsePointer(pointer);
      assert.deepEqual(getByPointer(rfc6901.document, tokens), expected);
      assert.equal(formatPointer(tokens), pointer);
    });
  }
});

describe('RFC 6901 §6 examples (URI fragment form)', () => {
  it('has the 12 examples', () => assert.equal(rfc6901.uriFragments.length, 12));
  for (const { fragment, expected } of rfc6901.uriFragments) {
    it(`${JSON.stringify(fragment)} is not a JSON-string pointer, but its decoded form evaluates`, () => {
      assert.throws(() => parsePointer(fragment), JsonPointerSyntaxError);
      const decoded = decodeURIComponent(fragment.slice(1));
      assert.deepEqual(getByPointer(rfc6901.document, parsePointer(decoded)), expected);
    });
  }
});

describe('parsePointer', () => {
  it('decodes ~1 before ~0, so "~01" is the member "~1"', () => {
    assert.deepEqual(parsePointer('/~01'), ['~1']);
    assert.deepEqual(parsePointer('/a~1b/m~0n'), ['a/b', 'm~n']);
  });
  it('keeps empty tokens', () => {
    assert.deepEqual(parsePointer(''), []);
    assert.deepEqual(parsePointer('/'), ['']);
    assert.deepEqual(parsePointer('//'), ['', '']);
  });
  it('reports the reason', () => {
    assert.throws(() => parsePointer('a/b'), { message: '"a/b" is not a valid JSON Pointer: must be empty or start with "/"' });
    assert.throws(() => parsePointer('/foo~2'), { message: '"/foo~2" is not a valid JSON Pointer: "~" must be followed by "0" or "1"' });
  });
});

describe('getByPointer / lookupPointer', () => {
  const document = JSON.parse('{"a":[{"b":1},null],"__proto__":{"x":2},"": {"": 3}}') as unknown;
  it('reads own members and array elements', () => {
    assert.equal(getByPointer(document, ['a', '0', 'b']), 1);
    assert.equal(getByPointer(document, ['a', '1']), null);
    assert.equal(getByPointer(document, ['__proto__', 'x']), 2);
    assert.equal(getByPointer(document, ['', '']), 3);
  });
  it('never follows the prototype chain', () => {
    assert.equal(getByPointer({}, ['toString']), undefined);
    assert.equal(getByPointer({}, ['__proto__']), undefined);
    assert.equal(getByPointer({}, ['constructor', 'prototype']), undefined);
    assert.equal(getByPointer([], ['length']), undefined);
  });
  it('applies the array index rules', () => {
    assert.equal(getByPointer(document, ['a', '01']), undefined);
    assert.equal(getByPointer(document, ['a', '-']), undefined);
    assert.equal(getByPointer(document, ['a', '2']), undefined);
    assert.deepEqual(lookupPointer(document, ['a', '01', 'b']), { found: false, failure: 'invalid_index', depth: 1 });
    assert.deepEqual(lookupPointer(document, ['a', '-']), { found: false, failure: 'end_marker', depth: 1 });
    assert.deepEqual(lookupPointer(document, ['a', '0', 'b', 'c']), { found: false, failure: 'not_a_container', depth: 3 });
    assert.deepEqual(lookupPointer(document, ['zz']), { found: false, failure: 'missing', depth: 0 });
  });
});
