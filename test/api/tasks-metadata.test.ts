/**
 * Every metadata error text of docs/reference/cf-v3-tasks.md §3.6 and every label_selector text of §4, asserted verbatim through
 * the Tasks API, and the selector table of §4 with exactly its matches and link encodings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, PROJECT, registerAgent, type World } from '../helpers/fixtures.js';
import { badQuery, createTask, unprocessable, v3 } from './tasks-helpers.js';

let t: TestServer;
let w: World;
let req: ReturnType<typeof v3>;
let taskGuid: string;

before(async () => {
  t = await startTestServer({ taskPendingExpirySeconds: 100 * 365 * 86400 });
  w = await buildWorld(t, { tasks: true });
  req = v3(t);
  taskGuid = (await createTask(t, w.agent.id, w.creator)).guid;
});
after(async () => t.close());

const patch = (body: unknown, guid = taskGuid) => req('PATCH', `/v3/tasks/${guid}`, w.creator, { body });
const a8 = 'aaaaaaaa';
const label61 = 'a'.repeat(61);
const longPrefix = Array.from({ length: 5 }, () => label61).join('.');

/** Each key and the text Cloud Controller gives for it (§3.2), without the "Metadata label key error: " prefix. */
const KEY_ERRORS: [string, string][] = [
  ['', 'key cannot be empty string'],
  ['a/b/c', "key has more than one '/'"],
  ['a..com/potato', "prefix 'a..com' must be in valid dns format"],
  ['-a/potato', "prefix '-a' must be in valid dns format"],
  ['a%a.com/potato', "prefix 'a%a.com' must be in valid dns format"],
  ['onlycom/potato', "prefix 'onlycom' must be in valid dns format"],
  ['/potato', "prefix '' must be in valid dns format"],
  [`${longPrefix}/potato`, `prefix '${a8}...' is greater than 253 characters`],
  ['cloudfoundry.org/potato', "prefix 'cloudfoundry.org' is reserved"],
  ['CloudFoundry.ORG/potato', "prefix 'cloudfoundry.org' is reserved"],
  ['example.com/', 'key cannot be empty string'],
  ['potato mashed', "'potato mashed' contains invalid characters"],
  ['-a', "'-a' starts or ends with invalid characters"],
  ['b'.repeat(64), "'bbbbbbbb...' is greater than 63 characters"],
];

describe('metadata texts (§3.6), verbatim', () => {
  it('structure errors', async () => {
    const cases: [unknown, string][] = [
      [{ metadata: 'x' }, 'Metadata must be an object'],
      [{ metadata: null }, 'Metadata must be an object'],
      [{ metadata: { other: 1, extra: 2 } }, "Metadata has unexpected field(s): 'other' 'extra'"],
      [{ metadata: { labels: 'x' } }, "Metadata 'labels' is not an object"],
      [{ metadata: { annotations: [1] } }, "Metadata 'annotations' is not an object"],
      [{ name: 'scuppers' }, "Unknown field(s): 'name'"],
      [{ name: 'scuppers', metadata: { labels: 'x' } }, "Unknown field(s): 'name', Metadata 'labels' is not an object"],
    ];
    for (const [body, detail] of cases) {
      const res = await patch(body);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.deepEqual(res.body, unprocessable(detail), JSON.stringify(body));
    }
  });

  it('every label key error, and the same for annotations', async () => {
    for (const [key, text] of KEY_ERRORS) {
      assert.deepEqual((await patch({ metadata: { labels: { [key]: 'v' } } })).body, unprocessable(`Metadata label key error: ${text}`), key);
      assert.deepEqual((await patch({ metadata: { annotations: { [key]: 'v' } } })).body, unprocessable(`Metadata annotation key error: ${text}`), key);
    }
  });

  it('label value errors, the annotation value length, and their lengths at the limit', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ labels: { k: 'mashed#' } }, "Metadata label value error: 'mashed#' contains invalid characters"],
      [{ labels: { k: 'a-' } }, "Metadata label value error: 'a-' starts or ends with invalid characters"],
      [{ labels: { k: 'b'.repeat(64) } }, "Metadata label value error: 'bbbbbbbb...' is greater than 63 characters"],
      [{ annotations: { k: 'a'.repeat(5001) } }, `Metadata annotation value error: '${a8}...' is greater than 5000 characters`],
      [{ annotations: { k: '€'.repeat(5001) } }, `Metadata annotation value error: '${'€'.repeat(8)}...' is greater than 5000 characters`],
    ];
    for (const [metadata, detail] of cases) assert.deepEqual((await patch({ metadata })).body, unprocessable(detail), detail);
    const atLimit = await patch({ metadata: { labels: { ['k'.repeat(63)]: 'v'.repeat(63) }, annotations: { long: '€'.repeat(5000) } } });
    assert.equal(atLimit.status, 200, atLimit.text);
  });

  it('several errors in one 422: labels before annotations, each label key error then its value error', async () => {
    const res = await patch({ metadata: { annotations: { '': 'x' }, labels: { 'a b': 'c#', ok: 'fine', '-x': 'y' } } });
    assert.deepEqual(
      res.body,
      unprocessable(
        [
          "Metadata label key error: 'a b' contains invalid characters",
          "Metadata label value error: 'c#' contains invalid characters",
          "Metadata label key error: '-x' starts or ends with invalid characters",
          'Metadata annotation key error: key cannot be empty string',
        ].join(', '),
      ),
    );
  });

  it('every ASCII character outside [\\w-._/\\s] in a key, and outside [\\w-._] in a value, is an invalid character', async () => {
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const keyChars = ascii.filter((c) => !/[\w\-._/\s]/.test(c));
    const keys = await patch({ metadata: { labels: Object.fromEntries(keyChars.map((c) => [`a${c}b`, 'v'])) } });
    assert.deepEqual(keys.body, unprocessable(keyChars.map((c) => `Metadata label key error: 'a${c}b' contains invalid characters`).join(', ')));
    const valueChars = ascii.filter((c) => !/[\w\-.]/.test(c));
    const values = await patch({ metadata: { labels: Object.fromEntries(valueChars.map((c, i) => [`k${i}`, `a${c}b`])) } });
    assert.deepEqual(values.body, unprocessable(valueChars.map((c) => `Metadata label value error: 'a${c}b' contains invalid characters`).join(', ')));
    for (const bad of ['-a', 'a-', '-', '.a', '_a']) {
      assert.deepEqual((await patch({ metadata: { labels: { k: bad } } })).body, unprocessable(`Metadata label value error: '${bad}' starts or ends with invalid characters`));
    }
    const fine = await patch({ metadata: { labels: { a: 'b', 'A_b-c.9': 'Z.y_x-1', [`${[label61, label61, label61, label61].join('.')}.com/k`]: '' } } });
    assert.equal(fine.status, 200, fine.text);
  });

  it('quirks: a label key is checked even when its value is null; an annotation key only when its value is present', async () => {
    assert.deepEqual((await patch({ metadata: { labels: { 'bad key': null } } })).body, unprocessable("Metadata label key error: 'bad key' contains invalid characters"));
    assert.equal((await patch({ metadata: { annotations: { ['x'.repeat(64)]: '' } } })).status, 200);
    assert.equal((await patch({ metadata: { annotations: { 'bad key': null } } })).status, 200);
  });

  it('limits: CF-LabelLimitExceeded and CF-AnnotationLimitExceeded count the keys sent; nothing changes', async () => {
    const many = (n: number, prefix: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));
    const full = (await createTask(t, w.agent.id, w.creator, { metadata: { labels: many(49, 'l'), annotations: many(199, 'a') } })).guid;
    const labels = await patch({ metadata: { labels: { new1: 'v', new2: 'v' } } }, full);
    assert.deepEqual(labels.body, { errors: [{ detail: 'Failed to add 2 labels because it would exceed maximum of 50', title: 'CF-LabelLimitExceeded', code: 390020 }] });
    const annotations = await patch({ metadata: { annotations: { new1: 'v', new2: 'v' } } }, full);
    assert.deepEqual(annotations.body, { errors: [{ detail: 'Failed to add 2 annotations because it would exceed maximum of 200', title: 'CF-AnnotationLimitExceeded', code: 390023 }] });
    const read = await req('GET', `/v3/tasks/${full}`, w.creator);
    assert.equal(Object.keys(read.body.metadata.labels).length, 49);
    assert.equal(Object.keys(read.body.metadata.annotations).length, 199);
    // replacing and deleting while at the limit is fine: only growth past it fails
    const swap = await patch({ metadata: { labels: { l0: null, new1: 'v', new2: 'v', l1: 'changed' } } }, full);
    assert.equal(swap.status, 200, swap.text);
    assert.equal(Object.keys(swap.body.metadata.labels).length, 50);
  });
});

describe('label_selector texts (§4), verbatim, as 400 CF-BadQueryParameter', () => {
  const cases: [string, string][] = [
    ['', 'Missing label_selector value'],
    [',', 'Missing label_selector value'],
    [Array.from({ length: 51 }, (_, i) => `k${i}`).join(','), 'Too many label_selector requirements (maximum is 50)'],
    ['!', 'Invalid label_selector value'],
    ['foo = bar', 'Invalid label_selector value'],
    ['foo in(bar)', 'Invalid label_selector value'],
    ['foo in (bar, baz)', "' baz' contains invalid characters"],
    ['foo=lim#es', "'lim#es' contains invalid characters"],
    ['foo=-bar', "'-bar' starts or ends with invalid characters"],
    [`foo=${'b'.repeat(64)}`, "'bbbbbbbb...' is greater than 63 characters"],
    ['cloudfoundry.org/foo=bar', "prefix 'cloudfoundry.org' is reserved"],
    ['a/b/c=bar', "key has more than one '/'"],
    ['a..com/foo', "prefix 'a..com' must be in valid dns format"],
    [`${'k'.repeat(64)}`, "'kkkkkkkk...' is greater than 63 characters"],
    ['foo=bar,!,x=y#', "Invalid label_selector value, 'y#' contains invalid characters"],
  ];
  for (const [selector, detail] of cases) {
    it(`label_selector=${JSON.stringify(selector).slice(0, 60)} → ${detail.slice(0, 60)}`, async () => {
      const res = await req('GET', `/v3/tasks?label_selector=${encodeURIComponent(selector)}`, w.creator);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, badQuery(detail));
    });
  }

  it('a bare ?label_selector is missing; errors of other parameters come in the same 400', async () => {
    assert.deepEqual((await req('GET', '/v3/tasks?label_selector', w.creator)).body, badQuery('Missing label_selector value'));
    assert.deepEqual((await req('GET', '/v3/tasks?per_page=0&label_selector=!', w.creator)).body, badQuery('Per page must be a positive integer, Invalid label_selector value'));
  });
});

describe('the selector table of §4', () => {
  const TABLE: [string, 'app1' | 'app2', string][] = [
    ['foo in (bar)', 'app1', 'foo+in+%28bar%29'],
    ['foo notin (bar)', 'app2', 'foo+notin+%28bar%29'],
    ['foo=bar', 'app1', 'foo%3Dbar'],
    ['foo==bar', 'app1', 'foo%3D%3Dbar'],
    ['foo!=bar', 'app2', 'foo%21%3Dbar'],
    ['foo=funky,santa=claus', 'app2', 'foo%3Dfunky%2Csanta%3Dclaus'],
    ['santa', 'app2', 'santa'],
    ['!santa', 'app1', '%21santa'],
  ];
  let agentId: string;
  const tasks: Record<'app1' | 'app2', string> = { app1: '', app2: '' };

  before(async () => {
    agentId = (await registerAgent(t, w.admin, PROJECT, {}, { tasks: true })).id;
    tasks.app1 = (await createTask(t, agentId, w.creator, { metadata: { labels: { foo: 'bar' } } })).guid;
    tasks.app2 = (await createTask(t, agentId, w.creator, { metadata: { labels: { foo: 'funky', santa: 'claus' } } })).guid;
  });

  for (const [selector, match, escaped] of TABLE) {
    it(`${selector} → ${match}`, async () => {
      const res = await req('GET', `/v3/agents/${agentId}/tasks?label_selector=${encodeURIComponent(selector)}`, w.observer);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.resources.map((r: { guid: string }) => r.guid),
        [tasks[match]],
      );
      const href = `${t.url}/v3/agents/${agentId}/tasks?label_selector=${escaped}&page=1&per_page=50`;
      assert.deepEqual(res.body.pagination, { total_results: 1, total_pages: 1, first: { href }, last: { href }, next: null, previous: null });
    });
  }

  it('the docs example and the edge cases: `key=` matches nothing, `key!=` everything, notin matches tasks without the key', async () => {
    const pick = async (selector: string) =>
      (await req('GET', `/v3/agents/${agentId}/tasks?label_selector=${encodeURIComponent(selector)}`, w.creator)).body.resources.map((r: { guid: string }) => r.guid);
    assert.deepEqual(await pick('foo='), []);
    assert.deepEqual(await pick('foo!='), [tasks.app1, tasks.app2]);
    assert.deepEqual(await pick('santa notin (claus)'), [tasks.app1]);
    assert.deepEqual(await pick('santa!=claus'), [tasks.app1]);
    assert.deepEqual(await pick('foo in (bar,funky)'), [tasks.app1, tasks.app2]);
    assert.deepEqual(await pick('foo in (bar,funky),!santa'), [tasks.app1]);
    assert.deepEqual(await pick('env=dev,!chargeback-code,tier in (backend,worker)'), []);
  });
});
