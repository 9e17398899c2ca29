import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

const EXTENDED = [
  { type: 'folder', path: '/srv/www/tmp/' },
  { type: 'pattern', path: '*.log' },
  { type: 'pattern', path: '**/node_modules' },
  { type: 'pattern', path: '/srv/www/cache/**' },
  { type: 'pattern', path: '*.TMP', ignore_case: true },
  { type: 'if_present', path: '.nobackup' },
  { type: 'caches' },
  { type: 'larger_than', size: 1073741824 },
  { type: 'other_file_systems' },
];

function body(exclusions: unknown) {
  return {
    agent_id: w.agent.id,
    name: `exclusions ${Math.random()}`,
    enabled: true,
    schedule: null,
    retention: { days: 7 },
    inclusions: [{ type: 'folder', path: '/srv/www/' }],
    exclusions,
    notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
  };
}

const create = (exclusions: unknown) => t.request('POST', `/v2/${PROJECT}/configurations`, { token: w.creator, body: body(exclusions) });

describe('configurations: exclusion patterns and the other extension types', { timeout: 60_000 }, () => {
  it('stores patterns (not refused as "not under any inclusion"), markers, caches, sizes and one-file-system, in order, and hands them to the agent', async () => {
    const res = await create(EXTENDED);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.exclusions, EXTENDED);
    const read = await t.request('GET', `/v2/${PROJECT}/configurations/${res.body.id}`, { token: w.observer });
    assert.deepEqual(read.body.exclusions, EXTENDED);
    const doc = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/configuration`, { token: w.agent.token });
    assert.deepEqual(doc.body.configurations.find((c: { id: string }) => c.id === res.body.id).exclusions, EXTENDED);
  });

  it('keeps only the fields of each type (nothing unchecked is stored)', async () => {
    const res = await create([
      { type: 'caches', path: '/ignored', size: 3 },
      { type: 'pattern', path: '*.bak', ignore_case: false, extra: 1 },
    ]);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.exclusions, [{ type: 'caches' }, { type: 'pattern', path: '*.bak' }]);
  });

  it('refuses a bad item with 400 naming the field; nothing is created', async () => {
    const cases: [unknown, string][] = [
      [{ type: 'pattern', path: '[abc' }, 'exclusions[0].path is not a valid glob'],
      [{ type: 'pattern', path: '{a,b' }, 'exclusions[0].path is not a valid glob'],
      [{ type: 'pattern', path: '' }, 'exclusions[0].path is empty'],
      [{ type: 'pattern', path: '/srv/../etc/*' }, 'exclusions[0].path contains a "." or ".." component'],
      [{ type: 'pattern' }, 'exclusions[0].path must be a glob pattern'],
      [{ type: 'pattern', path: '*.log', ignore_case: 'yes' }, 'exclusions[0].ignore_case must be true or false'],
      [{ type: 'if_present', path: 'a/.nobackup' }, 'exclusions[0].path must be one file name'],
      [{ type: 'if_present', path: '..' }, 'exclusions[0].path must be one file name'],
      [{ type: 'larger_than', size: 0 }, 'exclusions[0].size must be a whole number of bytes above 0'],
      [{ type: 'larger_than', size: '1G' }, 'exclusions[0].size must be a whole number of bytes above 0'],
      [{ type: 'regex', path: '.*' }, 'exclusions[0].type must be one of file, folder, pattern, if_present, caches, larger_than, other_file_systems'],
      [{ type: 'folder', path: '' }, 'exclusions[0].path must be a non-empty string'],
      [{ type: 'folder', path: '/etc/' }, 'exclusions[0].path "/etc/" is not under any inclusion'],
    ];
    const before = (await t.request('GET', `/v2/${PROJECT}/configurations`, { token: w.observer })).body.configurations.length;
    for (const [item, message] of cases) {
      const res = await create([{ type: 'pattern', path: '*.ok' }, item].slice(1));
      assert.equal(res.status, 400, `${JSON.stringify(item)}: ${res.text}`);
      assert.equal(res.body.message, 'Validation failed.');
      assert.ok(
        res.body.errors.some((e: string) => e.startsWith(message)),
        `${JSON.stringify(item)}: expected "${message}" in ${JSON.stringify(res.body.errors)}`,
      );
    }
    const second = await create([{ type: 'caches' }, { type: 'pattern', path: 'a[' }]);
    assert.ok(
      second.body.errors.some((e: string) => e.startsWith('exclusions[1].path is not a valid glob')),
      "the index is the item's own",
    );
    const after = (await t.request('GET', `/v2/${PROJECT}/configurations`, { token: w.observer })).body.configurations.length;
    assert.equal(after, before);
  });

  it('PATCH /exclusions takes the same types and refuses a bad pattern without changing anything', async () => {
    const id = (await create([])).body.id;
    const patch = (value: unknown) =>
      t.request('PATCH', `/v2/${PROJECT}/configurations/${id}`, { token: w.creator, raw: JSON.stringify([{ op: 'replace', path: '/exclusions', value }]), headers: patchHeaders });
    assert.equal((await patch([{ type: 'pattern', path: '*.log' }, { type: 'caches' }])).status, 204);
    const bad = await patch([{ type: 'pattern', path: '[x' }]);
    assert.equal(bad.status, 400, bad.text);
    assert.ok(
      bad.body.errors.some((e: string) => e.startsWith('exclusions[0].path is not a valid glob')),
      bad.text,
    );
    const read = await t.request('GET', `/v2/${PROJECT}/configurations/${id}`, { token: w.observer });
    assert.deepEqual(read.body.exclusions, [{ type: 'pattern', path: '*.log' }, { type: 'caches' }]);
  });
});
