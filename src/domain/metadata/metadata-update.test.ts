import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EMPTY_METADATA, mergeMetadata, MetadataLimitExceededError, type ResourceMetadata } from './metadata-update.js';
import { validateMetadataRequest } from './metadata-request.js';
import { readConformance } from '../../../test/conformance/read-conformance.js';

const potatoes: ResourceMetadata = {
  labels: { potato: 'yam', style: 'baked' },
  annotations: { potato: 'idaho', style: 'french' },
};

function keys(count: number, prefix = 'k'): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}${index}`, 'v']));
}

function assertLimit(run: () => unknown, errorName: string, code: number, detail: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof MetadataLimitExceededError);
    assert.equal(error.errorName, errorName);
    assert.equal(error.code, code);
    assert.equal(error.httpStatus, 422);
    assert.equal(error.detail, detail);
    assert.equal(error.message, detail);
    return true;
  });
}

describe('mergeMetadata (§3.5)', () => {
  it('changes and creates per key, leaving unmentioned keys (tasks_controller_spec #update)', () => {
    const result = mergeMetadata(potatoes, { labels: { style: 'casserole' }, annotations: { potato: 'russet' } });
    assert.deepStrictEqual(result, {
      labels: { potato: 'yam', style: 'casserole' },
      annotations: { potato: 'russet', style: 'french' },
    });
  });

  it('deletes keys set to null; deleting a missing key is a no-op', () => {
    const result = mergeMetadata(potatoes, { labels: { style: null, ghost: null }, annotations: { potato: null } });
    assert.deepStrictEqual(result, { labels: { potato: 'yam' }, annotations: { style: 'french' } });
  });

  it('stores the empty string', () => {
    assert.deepStrictEqual(mergeMetadata(potatoes, { labels: { potato: '' } }).labels, { potato: '', style: 'baked' });
  });

  it('treats absent, null and false maps as no change', () => {
    assert.deepStrictEqual(mergeMetadata(potatoes, {}), potatoes);
    assert.deepStrictEqual(mergeMetadata(potatoes, { labels: null, annotations: false }), potatoes);
    assert.deepStrictEqual(mergeMetadata(potatoes, undefined), potatoes);
  });

  it('stores values as text, like Ruby to_s', () => {
    const result = mergeMetadata(EMPTY_METADATA, { labels: { n: 5, b: true }, annotations: { f: 1.5, o: { a: [1, null] } } });
    assert.deepStrictEqual(result, { labels: { n: '5', b: 'true' }, annotations: { f: '1.5', o: '{"a" => [1, nil]}' } });
  });

  it('stores absurdly nested values without overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let level = 0; level < 50_000; level++) deep = [deep];
    const stored = mergeMetadata(EMPTY_METADATA, { annotations: { deep } }).annotations.deep;
    assert.ok(stored?.startsWith('[[[[') && stored.includes('[...]'));
  });

  it('keeps prototype-named keys as own keys and never modifies its input', () => {
    const current: ResourceMetadata = { labels: { a: 'b' }, annotations: {} };
    const request = JSON.parse('{"labels":{"constructor":"x","toString":"y"},"annotations":{"__proto__":"z"}}') as unknown;
    const result = mergeMetadata(current, request);
    assert.deepStrictEqual(Object.keys(result.labels), ['a', 'constructor', 'toString']);
    assert.ok(Object.hasOwn(result.annotations, '__proto__'));
    assert.equal(Object.getPrototypeOf(result.annotations), Object.prototype);
    assert.deepStrictEqual(current, { labels: { a: 'b' }, annotations: {} });
  });

  it('reproduces the CF docs "Updating labels and annotations" example', () => {
    const groups = readConformance('json-merge-patch/extra-test-cases.json') as {
      source: string;
      given: { metadata: ResourceMetadata };
      cases: { patch: { metadata: unknown }; result: { metadata: ResourceMetadata } }[];
    }[];
    const cf = groups.find((group) => group.source.startsWith('Cloud Foundry'));
    assert.ok(cf, 'the CF example is in extra-test-cases.json');
    for (const testCase of cf.cases) {
      assert.deepStrictEqual(validateMetadataRequest(testCase.patch.metadata), []);
      assert.deepStrictEqual(mergeMetadata(cf.given.metadata, testCase.patch.metadata), testCase.result.metadata);
    }
  });
});

describe('mergeMetadata limits', () => {
  it('allows exactly 50 labels and 200 annotations', () => {
    const result = mergeMetadata(EMPTY_METADATA, { labels: keys(50), annotations: keys(200) });
    assert.equal(Object.keys(result.labels).length, 50);
    assert.equal(Object.keys(result.annotations).length, 200);
  });

  it('refuses growing past 50 labels, counting the keys sent', () => {
    const current: ResourceMetadata = { labels: keys(50), annotations: {} };
    assertLimit(() => mergeMetadata(current, { labels: { new1: 'v', new2: 'v', k0: null } }), 'LabelLimitExceeded', 390020, 'Failed to add 3 labels because it would exceed maximum of 50');
  });

  it('refuses growing past 200 annotations', () => {
    assertLimit(
      () => mergeMetadata({ labels: {}, annotations: keys(200) }, { annotations: { one: 'more' } }),
      'AnnotationLimitExceeded',
      390023,
      'Failed to add 1 annotations because it would exceed maximum of 200',
    );
  });

  it('uses the configured limits (the reference examples with maximum 1)', () => {
    const limits = { maxLabels: 1, maxAnnotations: 1 };
    assertLimit(() => mergeMetadata(EMPTY_METADATA, { labels: { a: 'x', b: 'y' } }, limits), 'LabelLimitExceeded', 390020, 'Failed to add 2 labels because it would exceed maximum of 1');
    assertLimit(
      () => mergeMetadata(EMPTY_METADATA, { annotations: { a: 'x', b: 'y' } }, limits),
      'AnnotationLimitExceeded',
      390023,
      'Failed to add 2 annotations because it would exceed maximum of 1',
    );
  });

  it('checks labels before annotations', () => {
    const limits = { maxLabels: 1, maxAnnotations: 1 };
    assertLimit(
      () => mergeMetadata(EMPTY_METADATA, { annotations: { a: 'x', b: 'y' }, labels: { a: 'x', b: 'y' } }, limits),
      'LabelLimitExceeded',
      390020,
      'Failed to add 2 labels because it would exceed maximum of 1',
    );
  });

  it('lets a resource already over the limit change values or shrink, but not grow', () => {
    const current: ResourceMetadata = { labels: keys(60), annotations: {} };
    assert.equal(Object.keys(mergeMetadata(current, { labels: { k0: 'changed' } }).labels).length, 60);
    assert.equal(Object.keys(mergeMetadata(current, { labels: { k0: null, extra: 'v' } }).labels).length, 60);
    assert.equal(Object.keys(mergeMetadata(current, { labels: { k0: null, k1: null, extra: 'v' } }).labels).length, 59);
    assertLimit(() => mergeMetadata(current, { labels: { extra: 'v' } }), 'LabelLimitExceeded', 390020, 'Failed to add 1 labels because it would exceed maximum of 50');
  });
});
