import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isUnder, localPath, normalizePath, PathFilter } from './path-filter.js';

describe('path filter (Cloud Backup inclusions and exclusions)', () => {
  const filter = new PathFilter(
    [
      { type: 'folder', path: '/web/' },
      { type: 'file', path: '/etc/web/app.conf' },
    ],
    [
      { type: 'folder', path: '/web/cache/' },
      { type: 'file', path: '/web/cache.jpg' },
    ],
  );

  it('takes folders with everything below them and files exactly', () => {
    assert.equal(filter.takes('/web'), true);
    assert.equal(filter.takes('/web/index.html'), true);
    assert.equal(filter.takes('/web/a/b/c'), true);
    assert.equal(filter.takes('/etc/web/app.conf'), true);
    assert.equal(filter.takes('/etc/web/app.conf.bak'), false);
    assert.equal(filter.takes('/website'), false, 'a name prefix is not a folder');
  });

  it('excludes folders with everything below them and files exactly', () => {
    assert.equal(filter.takes('/web/cache'), false);
    assert.equal(filter.takes('/web/cache/x/y'), false);
    assert.equal(filter.takes('/web/cache.jpg'), false);
    assert.equal(filter.takes('/web/cache.jpeg'), true);
  });

  it('descends into ancestors of inclusions only', () => {
    assert.equal(filter.leadsToIncluded('/'), true);
    assert.equal(filter.leadsToIncluded('/etc'), true);
    assert.equal(filter.leadsToIncluded('/etc/web'), true);
    assert.equal(filter.leadsToIncluded('/etc/other'), false);
    assert.equal(filter.leadsToIncluded('/web/cache'), false);
  });

  it('takes everything when there are no inclusions', () => {
    const all = new PathFilter([], [{ type: 'file', path: '/x' }]);
    assert.equal(all.takes('/anything/at/all'), true);
    assert.equal(all.takes('/x'), false);
  });

  it('normalises snapshot paths and resolves local ones from the working directory', () => {
    assert.equal(normalizePath('web/'), '/web');
    assert.equal(normalizePath('/a/./b/../c/'), '/a/c');
    assert.equal(localPath('out'), path.join(process.cwd(), 'out'));
    assert.equal(isUnder('/a/b', '/'), true);
    assert.equal(isUnder('/', '/'), false);
  });
});
