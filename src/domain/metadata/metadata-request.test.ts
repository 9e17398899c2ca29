import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { splitMetadataKey } from './metadata-key.js';
import { validateMetadataRequest } from './metadata-request.js';

function labelErrors(labels: Record<string, unknown>): string[] {
  return validateMetadataRequest({ labels });
}

function annotationErrors(annotations: Record<string, unknown>): string[] {
  return validateMetadataRequest({ annotations });
}

const printableAscii = Array.from({ length: 127 - 32 }, (_, index) => String.fromCharCode(32 + index));

describe('validateMetadataRequest: structure', () => {
  it('accepts an absent metadata member and empty maps', () => {
    assert.deepStrictEqual(validateMetadataRequest(undefined), []);
    assert.deepStrictEqual(validateMetadataRequest({}), []);
    assert.deepStrictEqual(validateMetadataRequest({ labels: {}, annotations: {} }), []);
  });

  it('requires an object', () => {
    for (const metadata of [null, 'x', 1, true, [], [{ labels: {} }]]) {
      assert.deepStrictEqual(validateMetadataRequest(metadata), ['Metadata must be an object'], JSON.stringify(metadata));
    }
  });

  it('names unexpected fields, quoted and space-separated', () => {
    assert.deepStrictEqual(validateMetadataRequest({ other: 1, labels: {}, extra: 2 }), ["Metadata has unexpected field(s): 'other' 'extra'"]);
  });

  it('treats null and false labels or annotations as "no change"', () => {
    assert.deepStrictEqual(validateMetadataRequest({ labels: null, annotations: false }), []);
  });

  it('requires labels and annotations to be objects, and still checks the other one', () => {
    assert.deepStrictEqual(validateMetadataRequest({ labels: 'x', annotations: [] }), ["Metadata 'labels' is not an object", "Metadata 'annotations' is not an object"]);
    assert.deepStrictEqual(validateMetadataRequest({ labels: [1], annotations: { '-a': 'x' } }), [
      "Metadata 'labels' is not an object",
      "Metadata annotation key error: '-a' starts or ends with invalid characters",
    ]);
  });

  it('reports in Cloud Controller order: fields, then per label key and value, then annotations', () => {
    const errors = validateMetadataRequest({
      annotations: { 'potato mashed': 'x', long: 'a'.repeat(5001) },
      labels: { 'potato mashed': 'mashed#', good: 'a-', 'a/b/c': null },
      surprise: true,
    });
    assert.deepStrictEqual(errors, [
      "Metadata has unexpected field(s): 'surprise'",
      "Metadata label key error: 'potato mashed' contains invalid characters",
      "Metadata label value error: 'mashed#' contains invalid characters",
      "Metadata label value error: 'a-' starts or ends with invalid characters",
      "Metadata label key error: key has more than one '/'",
      "Metadata annotation key error: 'potato mashed' contains invalid characters",
      "Metadata annotation value error: 'aaaaaaaa...' is greater than 5000 characters",
    ]);
  });
});

describe('validateMetadataRequest: keys (§3.2)', () => {
  const cases: [string, string][] = [
    ['', 'key cannot be empty string'],
    ['   ', 'key cannot be empty string'],
    ['a/b/c', "key has more than one '/'"],
    ['-a/name', "prefix '-a' must be in valid dns format"],
    ['a%a.com/name', "prefix 'a%a.com' must be in valid dns format"],
    ['a..com/name', "prefix 'a..com' must be in valid dns format"],
    ['onlycom/name', "prefix 'onlycom' must be in valid dns format"],
    ['/name', "prefix '' must be in valid dns format"],
    ['a.com\n/name', "prefix 'a.com\n' must be in valid dns format"],
    ['cloudfoundry.org/key', "prefix 'cloudfoundry.org' is reserved"],
    ['CloudFoundry.org/key', "prefix 'cloudfoundry.org' is reserved"],
    ['example.com/', 'key cannot be empty string'],
    ['/', 'key cannot be empty string'],
    ['example.com/ ', 'key cannot be empty string'],
    ['potato mashed', "'potato mashed' contains invalid characters"],
    ['é', "'é' contains invalid characters"],
    ['-a', "'-a' starts or ends with invalid characters"],
    ['a-', "'a-' starts or ends with invalid characters"],
    ['-', "'-' starts or ends with invalid characters"],
    ['.a', "'.a' starts or ends with invalid characters"],
    ['_a', "'_a' starts or ends with invalid characters"],
    ['__proto__', "'__proto__' starts or ends with invalid characters"],
    ['b'.repeat(64), "'bbbbbbbb...' is greater than 63 characters"],
    [`example.com/${'b'.repeat(64)}`, "'bbbbbbbb...' is greater than 63 characters"],
  ];
  for (const [key, message] of cases) {
    it(`label key ${JSON.stringify(key)} → ${message}`, () => {
      assert.deepStrictEqual(labelErrors({ [key]: 'v' }), [`Metadata label key error: ${message}`]);
    });
    it(`annotation key ${JSON.stringify(key)} → ${message}`, () => {
      assert.deepStrictEqual(annotationErrors({ [key]: 'v' }), [`Metadata annotation key error: ${message}`]);
    });
  }

  const validKeys = [
    'a',
    'a1',
    'A.b-c_d9',
    'b'.repeat(63),
    'example.com/env',
    'foo.cloudfoundry.org/key',
    'EXAMPLE.COM/env',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    `${Array.from({ length: 4 }, () => 'a'.repeat(61)).join('.')}.com/key`,
  ];
  for (const key of validKeys) {
    it(`accepts key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}`, () => {
      assert.deepStrictEqual(labelErrors({ [key]: 'v' }), []);
      assert.deepStrictEqual(annotationErrors({ [key]: 'v' }), []);
    });
  }

  it('refuses a prefix longer than 253 characters even when its DNS labels are valid', () => {
    const prefix = Array.from({ length: 5 }, () => 'a'.repeat(61)).join('.');
    assert.deepStrictEqual(labelErrors({ [`${prefix}/key`]: 'v' }), ["Metadata label key error: prefix 'aaaaaaaa...' is greater than 253 characters"]);
  });

  it('refuses every printable ASCII character outside [A-Za-z0-9_.-] in a key name', () => {
    for (const character of printableAscii) {
      if (/[\w\-./]/.test(character)) continue;
      const key = `a${character}a`;
      assert.deepStrictEqual(labelErrors({ [key]: 'v' }), [`Metadata label key error: '${key}' contains invalid characters`], key);
    }
  });

  it('checks label keys even when the value is null (delete)', () => {
    assert.deepStrictEqual(labelErrors({ '-a': null }), ["Metadata label key error: '-a' starts or ends with invalid characters"]);
  });

  it('checks annotation keys only when the value is present', () => {
    for (const value of [null, '', '  ', false, [], {}]) {
      assert.deepStrictEqual(annotationErrors({ ['b'.repeat(64)]: value }), [], JSON.stringify(value));
    }
    for (const value of ['x', 0, true, [1], { a: 1 }]) {
      assert.deepStrictEqual(annotationErrors({ '-a': value }), ["Metadata annotation key error: '-a' starts or ends with invalid characters"], JSON.stringify(value));
    }
  });
});

describe('validateMetadataRequest: label values (§3.3)', () => {
  const cases: [unknown, string][] = [
    ['mashed#', "'mashed#' contains invalid characters"],
    [' ', "' ' contains invalid characters"],
    ['a/b', "'a/b' contains invalid characters"],
    ['a-', "'a-' starts or ends with invalid characters"],
    ['-a', "'-a' starts or ends with invalid characters"],
    ['-', "'-' starts or ends with invalid characters"],
    ['.a', "'.a' starts or ends with invalid characters"],
    ['_a', "'_a' starts or ends with invalid characters"],
    ['b'.repeat(64), "'bbbbbbbb...' is greater than 63 characters"],
    [-1, "'-1' starts or ends with invalid characters"],
    [{ a: 1 }, '\'{"a" => 1}\' contains invalid characters'],
    [['x', null], '\'["x", nil]\' contains invalid characters'],
  ];
  for (const [value, message] of cases) {
    it(`${JSON.stringify(value).slice(0, 30)} → ${message}`, () => {
      assert.deepStrictEqual(labelErrors({ key: value }), [`Metadata label value error: ${message}`]);
    });
  }

  it('accepts empty, null, 63 characters, and numbers or booleans by their text', () => {
    for (const value of ['', null, 'b'.repeat(63), 'a', 'A.b-c_d9', 5, 1.5, true, false]) {
      assert.deepStrictEqual(labelErrors({ key: value }), [], JSON.stringify(value));
    }
  });

  it('refuses every printable ASCII character outside [A-Za-z0-9_.-] in a value', () => {
    for (const character of printableAscii) {
      if (/[\w\-.]/.test(character)) continue;
      const value = `a${character}a`;
      assert.deepStrictEqual(labelErrors({ key: value }), [`Metadata label value error: '${value}' contains invalid characters`], value);
    }
  });

  it('reports a key error and a value error for the same label', () => {
    assert.deepStrictEqual(labelErrors({ '-a': 'a-' }), [
      "Metadata label key error: '-a' starts or ends with invalid characters",
      "Metadata label value error: 'a-' starts or ends with invalid characters",
    ]);
  });
});

describe('validateMetadataRequest: annotation values (§3.4)', () => {
  it('allows any characters up to 5000 of them, counted as characters', () => {
    assert.deepStrictEqual(annotationErrors({ key: 'a'.repeat(5000) }), []);
    assert.deepStrictEqual(annotationErrors({ key: '😎'.repeat(5000) }), []);
    assert.deepStrictEqual(annotationErrors({ key: 'spaces, #, / and ü are fine' }), []);
  });

  it('refuses 5001 characters, quoting the first 8', () => {
    assert.deepStrictEqual(annotationErrors({ key: '😎'.repeat(5001) }), [`Metadata annotation value error: '${'😎'.repeat(8)}...' is greater than 5000 characters`]);
    assert.deepStrictEqual(annotationErrors({ key: `abcdefghij${'x'.repeat(4991)}` }), ["Metadata annotation value error: 'abcdefgh...' is greater than 5000 characters"]);
  });
});

describe('splitMetadataKey', () => {
  it('splits like Ruby split("/")', () => {
    assert.deepStrictEqual(splitMetadataKey('env'), { prefix: null, name: 'env' });
    assert.deepStrictEqual(splitMetadataKey('example.com/env'), { prefix: 'example.com', name: 'env' });
    assert.deepStrictEqual(splitMetadataKey('example.com/'), { prefix: 'example.com', name: '' });
    assert.deepStrictEqual(splitMetadataKey('/env'), { prefix: '', name: 'env' });
    assert.deepStrictEqual(splitMetadataKey('/'), { prefix: null, name: '' });
  });
});
