import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// The console's own module (plain browser JavaScript), loaded as the browser loads it.
const modulePath = '../../src/web/js/exclusion-text.js';
const { exclusionsToText, textToExclusions } = (await import(modulePath)) as {
  exclusionsToText(items: unknown[]): string;
  textToExclusions(text: string): unknown[];
};

describe('console: exclusions as text', { timeout: 10_000 }, () => {
  const items = [
    { type: 'folder', path: '/srv/www/cache/' },
    { type: 'file', path: '/srv/www/a.jpg' },
    { type: 'pattern', path: '*.log' },
    { type: 'pattern', path: '/srv/x' },
    { type: 'pattern', path: '/srv/*/tmp' },
    { type: 'pattern', path: '*.TMP', ignore_case: true },
    { type: 'if_present', path: '.nobackup' },
    { type: 'caches' },
    { type: 'larger_than', size: 1073741824 },
    { type: 'other_file_systems' },
  ];

  it('writes every kind as a line and reads the lines back to the same items', () => {
    const text = exclusionsToText(items);
    assert.equal(
      text,
      [
        '/srv/www/cache/',
        'file:/srv/www/a.jpg',
        '*.log',
        'pattern:/srv/x',
        '/srv/*/tmp',
        'ignore-case:*.TMP',
        'if-present:.nobackup',
        'exclude-caches',
        'larger-than:1073741824',
        'one-file-system',
      ].join('\n'),
    );
    assert.deepEqual(textToExclusions(text), items);
  });

  it('reads sizes with units and leaves a bad size for the server to refuse', () => {
    assert.deepEqual(textToExclusions('larger-than:500M\n  \n/tmp'), [
      { type: 'larger_than', size: 500 * 1024 * 1024 },
      { type: 'folder', path: '/tmp/' },
    ]);
    assert.ok(Number.isNaN((textToExclusions('larger-than:huge')[0] as { size: number }).size));
  });
});
