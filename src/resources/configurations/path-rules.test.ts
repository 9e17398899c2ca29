import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PathItem } from './configuration.js';
import { pathListProblems } from './path-rules.js';

const folder = (path: string): PathItem => ({ type: 'folder', path });
const file = (path: string): PathItem => ({ type: 'file', path });

describe('pathListProblems', () => {
  it('accepts the reference example', () => {
    assert.deepEqual(pathListProblems([folder('/web/'), file('/etc/web/app.conf')], [folder('/web/cache/'), file('/web/cache.jpg')]), []);
  });

  it('a trailing separator is optional; the root and Windows drives are folders too', () => {
    assert.deepEqual(pathListProblems([folder('/web')], [folder('/web/cache')]), []);
    assert.deepEqual(pathListProblems([folder('/')], [folder('/tmp/')]), []);
    assert.deepEqual(pathListProblems([folder('C:\\')], [folder('C:\\Windows\\Temp\\')]), []);
    assert.deepEqual(pathListProblems([folder('/')], []), []);
  });

  it('names each broken rule with the offending path', () => {
    assert.deepEqual(pathListProblems([folder('/web/'), folder('/web')], []), ['inclusions[1].path "/web" duplicates inclusions[0].path']);
    assert.deepEqual(pathListProblems([folder('/web/')], [folder('/web')]), ['exclusions[0].path "/web" is also inclusions[0].path', 'exclusions[0].path "/web" is not under any inclusion']);
    assert.deepEqual(pathListProblems([folder('/web/'), file('/web/a.html')], []), ['inclusions[1].path "/web/a.html" is under the inclusion "/web/"']);
    assert.deepEqual(pathListProblems([folder('/web/'), folder('/web/cache/keep/')], [folder('/web/cache/')]), [
      'inclusions[1].path "/web/cache/keep/" is under the inclusion "/web/"',
      'inclusions[1].path "/web/cache/keep/" is under the exclusion "/web/cache/"',
    ]);
    assert.deepEqual(pathListProblems([folder('/web/')], [folder('/web/cache/'), file('/web/cache/x')]), ['exclusions[1].path "/web/cache/x" is under the exclusion "/web/cache/"']);
    assert.deepEqual(pathListProblems([folder('/web/')], [folder('/srv/cache/')]), ['exclusions[0].path "/srv/cache/" is not under any inclusion']);
  });

  it('a file inclusion contains nothing, and a name that only starts like a folder is not under it', () => {
    assert.deepEqual(pathListProblems([file('/web'), file('/web/a')], []), []);
    assert.deepEqual(pathListProblems([folder('/web/')], [folder('/webcache/')]), ['exclusions[0].path "/webcache/" is not under any inclusion']);
  });

  it('judges lists as large as a 1 MB body allows in linear time', () => {
    // 30,000 against 30,000 paths: comparing every pair (900 million comparisons) takes minutes; lookups per
    // ancestor take well under a second on an idle machine. The limit leaves room for a machine loaded tenfold.
    const inclusions = Array.from({ length: 30_000 }, (_, i) => folder(`/data/part-${i}/`));
    const exclusions = Array.from({ length: 30_000 }, (_, i) => folder(`/data/part-${i}/tmp/`));
    const started = performance.now();
    assert.deepEqual(pathListProblems(inclusions, exclusions), []);
    const took = performance.now() - started;
    assert.ok(took < 10_000, `took ${took.toFixed(0)} ms`);
  });
});
