import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { exclusionsFromFlags } from './exclusion-flags.js';

class Usage extends Error {}

describe('exclusion flags', { timeout: 10_000 }, () => {
  it('vault backup: every --exclude is a pattern; the other flags map to their exclusion types', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-flags-')), 'patterns');
    fs.writeFileSync(file, '# build output\n\n*.o\n  dist/**  \n');
    try {
      assert.deepEqual(
        exclusionsFromFlags(
          { exclude: ['*.log', '/srv/cache'], iexclude: ['*.TMP'], excludeFile: [file], excludeIfPresent: ['.nobackup'], excludeCaches: true, excludeLargerThan: '1G', oneFileSystem: true },
          Usage,
          { pathsToo: false },
        ),
        [
          { type: 'pattern', path: '*.log' },
          { type: 'pattern', path: '/srv/cache' },
          { type: 'pattern', path: '*.o' },
          { type: 'pattern', path: 'dist/**' },
          { type: 'pattern', path: '*.TMP', ignore_case: true },
          { type: 'if_present', path: '.nobackup' },
          { type: 'caches' },
          { type: 'larger_than', size: 1024 ** 3 },
          { type: 'other_file_systems' },
        ],
      );
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true });
    }
  });

  it('configs: absolute folders and file: stay path items, globs and relative names are patterns', () => {
    assert.deepEqual(exclusionsFromFlags({ exclude: ['/srv/www/cache', 'file:/srv/www/a.jpg', '*.log', 'node_modules', '/srv/*/tmp', 'pattern:/srv/x'] }, Usage, { pathsToo: true }), [
      { type: 'folder', path: '/srv/www/cache/' },
      { type: 'file', path: '/srv/www/a.jpg' },
      { type: 'pattern', path: '*.log' },
      { type: 'pattern', path: 'node_modules' },
      { type: 'pattern', path: '/srv/*/tmp' },
      { type: 'pattern', path: '/srv/x' },
    ]);
  });

  it('configs edit: kinds the flags do not mention are kept; --no-… and "none" remove them', () => {
    const current = [
      { type: 'folder' as const, path: '/srv/tmp/' },
      { type: 'pattern' as const, path: '*.log' },
      { type: 'if_present' as const, path: '.nobackup' },
      { type: 'caches' as const },
      { type: 'larger_than' as const, size: 10 },
      { type: 'other_file_systems' as const },
    ];
    assert.deepEqual(exclusionsFromFlags({ excludeIfPresent: ['.skip'] }, Usage, { pathsToo: true, current }), [
      { type: 'folder', path: '/srv/tmp/' },
      { type: 'pattern', path: '*.log' },
      { type: 'if_present', path: '.skip' },
      { type: 'caches' },
      { type: 'larger_than', size: 10 },
      { type: 'other_file_systems' },
    ]);
    assert.deepEqual(exclusionsFromFlags({ exclude: ['*.bak'], excludeCaches: false, excludeLargerThan: 'none', oneFileSystem: false }, Usage, { pathsToo: true, current }), [
      { type: 'pattern', path: '*.bak' },
      { type: 'if_present', path: '.nobackup' },
    ]);
  });

  it('refuses a bad pattern, marker or size as a usage error naming the flag value', () => {
    assert.throws(
      () => exclusionsFromFlags({ exclude: ['[abc'] }, Usage, { pathsToo: false }),
      (err) => err instanceof Usage && /^--exclude \[abc: is not a valid glob/.test(err.message),
    );
    assert.throws(
      () => exclusionsFromFlags({ excludeIfPresent: ['a/b'] }, Usage, { pathsToo: false }),
      (err) => err instanceof Usage && /--exclude-if-present a\/b: must be one file name/.test(err.message),
    );
    assert.throws(
      () => exclusionsFromFlags({ excludeLargerThan: 'huge' }, Usage, { pathsToo: false }),
      (err) => err instanceof Usage && /--exclude-larger-than "huge" is not a size/.test(err.message),
    );
    assert.throws(
      () => exclusionsFromFlags({ excludeFile: ['/no/such/file'] }, Usage, { pathsToo: false }),
      (err) => err instanceof Usage && /cannot read the pattern file/.test(err.message),
    );
  });
});
