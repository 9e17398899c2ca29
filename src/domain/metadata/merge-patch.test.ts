import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mergePatch } from './merge-patch.js';
import { readConformance } from '../../../test/conformance/read-conformance.js';

interface MergePatchGroup {
  source: string;
  given: unknown;
  cases: { patch: unknown; result: unknown; comment?: string }[];
}

function runSuite(file: string, expectedCases: number): void {
  const groups = readConformance(`json-merge-patch/${file}`) as MergePatchGroup[];
  describe(`json-merge-patch/${file}`, () => {
    it(`has ${expectedCases} cases`, () => {
      assert.equal(groups.flatMap((group) => group.cases).length, expectedCases);
    });
    groups.forEach((group, groupIndex) => {
      group.cases.forEach((testCase, caseIndex) => {
        it(`#${groupIndex}.${caseIndex} ${testCase.comment ?? JSON.stringify(testCase.patch)}`, () => {
          const givenBefore = JSON.parse(JSON.stringify(group.given)) as unknown;
          const patchBefore = JSON.parse(JSON.stringify(testCase.patch)) as unknown;
          assert.deepStrictEqual(mergePatch(group.given, testCase.patch), testCase.result);
          assert.deepStrictEqual(group.given, givenBefore, 'target unchanged');
          assert.deepStrictEqual(testCase.patch, patchBefore, 'patch unchanged');
        });
      });
    });
  });
}

runSuite('rfc7396-test-cases.json', 15);
runSuite('extra-test-cases.json', 2);

describe('mergePatch safety', () => {
  it('stores constructor, prototype and __proto__ as plain own keys', () => {
    const patch = JSON.parse('{"labels":{"constructor":"x","prototype":"y","__proto__":"z","env":"prod"}}') as unknown;
    const result = mergePatch({ labels: { toString: 'a' } }, patch) as { labels: Record<string, unknown> };
    assert.deepStrictEqual(Object.keys(result.labels), ['toString', 'constructor', 'prototype', '__proto__', 'env']);
    assert.equal(Object.getPrototypeOf(result.labels), Object.prototype);
    assert.equal(result.labels.__proto__, 'z');
    assert.equal(({} as Record<string, unknown>).z, undefined);
  });

  it('merges into an own "__proto__" object without touching prototypes', () => {
    const target = JSON.parse('{"__proto__":{"a":1}}') as unknown;
    const result = mergePatch(target, JSON.parse('{"__proto__":{"polluted":"yes","a":null}}'));
    assert.equal(JSON.stringify(result), '{"__proto__":{"polluted":"yes"}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('does not treat inherited members as present and deleting them is a no-op', () => {
    assert.deepStrictEqual(mergePatch({}, { toString: null, hasOwnProperty: { a: 1 } }), { hasOwnProperty: { a: 1 } });
  });

  it('returns values that share nothing with its inputs', () => {
    const target = { a: { b: [1] } };
    const patch = { c: { d: [2] } };
    const result = mergePatch(target, patch) as { a: { b: number[] }; c: { d: number[] } };
    result.a.b.push(9);
    result.c.d.push(9);
    assert.deepStrictEqual(target, { a: { b: [1] } });
    assert.deepStrictEqual(patch, { c: { d: [2] } });
  });
});
