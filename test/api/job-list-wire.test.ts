// The job list pages are written from each item's kept JSON text (src/resources/jobs/list-item-json.ts). They must be
// byte for byte what serialising the presented page as a whole gives for the same rows, and follow every change
// of a row, including changes that raise no version.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';
import { presentCleanup } from '../../src/resources/cleanups/cleanup.presenter.js';
import { jobFromRow } from '../../src/resources/jobs/job.js';
import { pageLinks, parsePageQuery } from '../../src/resources/common/v2-pagination.js';
import { Urls } from '../../src/server/links.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t?.close());

async function newCleanup(): Promise<string> {
  const created = await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: w.creator, body: { agent_id: w.agent.id, state: 'start_requested' } });
  assert.equal(created.status, 201, created.text);
  return created.body.id;
}

async function report(id: string, ops: unknown[]): Promise<void> {
  const res = await t.request('PATCH', `/v2/${PROJECT}/cleanups/${id}`, { token: w.agent.token, raw: JSON.stringify(ops), headers: patchHeaders });
  assert.equal(res.status, 204, res.text);
}

/** The page as the list wrote it before: the whole body presented from the rows, then serialised in one go. */
async function expectedPage(ids: string[], query: Record<string, string>): Promise<string> {
  const rows = await t.server.ctx.store.db
    .selectFrom('jobs')
    .selectAll()
    .where('id', 'in', ids.length > 0 ? ids : ['-'])
    .execute();
  const ordered = ids.map((id) => rows.find((row) => row.id === id)!);
  const urls = new Urls(t.server.ctx.publicBase(), PROJECT);
  const body: Record<string, unknown> = { cleanups: ordered.map((row) => presentCleanup(jobFromRow(row), urls)) };
  if (ordered.length > 0) body.links = pageLinks(urls.v2('cleanups'), parsePageQuery(query, 'desc'), ordered);
  return JSON.stringify(body);
}

async function checkPage(query: Record<string, string>): Promise<string[]> {
  const path = `/v2/${PROJECT}/cleanups?${new URLSearchParams(query)}`;
  const first = await t.request('GET', path, { token: w.observer });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.headers.get('content-type'), 'application/json; charset=utf-8');
  const ids = (first.body.cleanups as { id: string }[]).map((c) => c.id);
  assert.equal(first.text, await expectedPage(ids, query), `page ${path}`);
  // Served again from the kept items: the same bytes.
  const again = await t.request('GET', path, { token: w.observer });
  assert.equal(again.text, first.text);
  return ids;
}

describe('job list pages: the same bytes as before, from kept items', { timeout: 60_000 }, () => {
  it('pages (both directions, with markers, limits, empty) are byte for byte the whole-page serialisation', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await newCleanup());
    await report(ids[1]!, [{ op: 'replace', path: '/state', value: 'in_progress' }]);
    await report(ids[1]!, [
      { op: 'replace', path: '/bytes_before', value: 123456789 },
      { op: 'replace', path: '/snapshot_ids', value: [3, 1, 2] },
    ]);
    await report(ids[2]!, [
      { op: 'replace', path: '/state', value: 'failed' },
      { op: 'replace', path: '/errors', value: { count: 2, reason: 'quote " backslash \\ and </script> é 😀 \u2028', diagnostics: null, list: [{ path: '/a"b', type: 'read_failed' }, {}] } },
    ]);
    const desc = await checkPage({});
    assert.equal(desc.length, 5);
    await checkPage({ limit: '2' });
    await checkPage({ limit: '2', sort_dir: 'asc' });
    await checkPage({ limit: '2', marker: desc[1]! });
    await checkPage({ sort_dir: 'asc', marker: desc[1]! });
    assert.deepEqual(await checkPage({ sort_dir: 'asc', marker: desc[0]! }), []);
  });

  it('follows every change of a row: reports, and writes that raise no version', async () => {
    const id = await newCleanup();
    await checkPage({ limit: '3' });
    await report(id, [{ op: 'replace', path: '/state', value: 'in_progress' }]);
    const afterReport = await t.request('GET', `/v2/${PROJECT}/cleanups?limit=3`, { token: w.observer });
    assert.equal(afterReport.body.cleanups[0].state, 'in_progress');
    await checkPage({ limit: '3' });
    // Moving an agent's jobs to another agent (vault move) rewrites agent_id without a new version.
    await t.server.ctx.store.db.updateTable('jobs').set({ agent_id: w.otherAgent.id }).where('id', '=', id).execute();
    const moved = await t.request('GET', `/v2/${PROJECT}/cleanups?limit=3`, { token: w.observer });
    assert.equal(moved.body.cleanups[0].agent.id, w.otherAgent.id);
    await checkPage({ limit: '3' });
  });

  it('follows a change to any column an item shows, written straight to the table', async () => {
    const id = await newCleanup();
    await checkPage({ limit: '2' });
    const changes: Record<string, unknown>[] = [
      { state: 'in_progress' },
      { started_time: '2026-02-01T00:00:00.000000Z' },
      { ended_time: '2026-02-01T00:00:01.000000Z' },
      { results: JSON.stringify({ snapshot_ids: [9], bytes_before: 7, bytes_after: 5 }) },
      { errors: JSON.stringify({ count: 1, reason: 'changed', diagnostics: 'd', list: [] }) },
      { agent_id: w.agent.id },
    ];
    for (const change of changes) {
      await t.server.ctx.store.db
        .updateTable('jobs')
        .set(change as never)
        .where('id', '=', id)
        .execute();
      const [column, value] = Object.entries(change)[0]!;
      const page = await t.request('GET', `/v2/${PROJECT}/cleanups?limit=2`, { token: w.observer });
      const item = page.body.cleanups[0];
      const shown: Record<string, unknown> = {
        state: item.state,
        started_time: item.started_time,
        ended_time: item.ended_time,
        results: JSON.stringify({ snapshot_ids: item.snapshot_ids, bytes_before: item.bytes_before, bytes_after: item.bytes_after }),
        errors: JSON.stringify({ count: item.errors.count, reason: item.errors.reason, diagnostics: item.errors.diagnostics, list: [] }),
        agent_id: item.agent.id,
      };
      assert.equal(shown[column], value, `after a write of ${column}`);
      await checkPage({ limit: '2' });
    }
  });

  it('never serves a report stale while reports and pages run at the same time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await newCleanup());
    for (const id of ids) await report(id, [{ op: 'replace', path: '/state', value: 'in_progress' }]);
    const acknowledged = new Map<string, number>(ids.map((id) => [id, 0]));
    const bytesOf = (body: { cleanups: { id: string; bytes_before: number }[] }) => new Map(body.cleanups.map((c) => [c.id, c.bytes_before]));
    const reporters = ids.map(async (id) => {
      for (let value = 1; value <= 25; value++) {
        await report(id, [{ op: 'replace', path: '/bytes_before', value }]);
        acknowledged.set(id, value);
      }
    });
    let pages = 0;
    let done = false;
    const readers = Array.from({ length: 3 }, async () => {
      while (!done) {
        // Every report acknowledged before the page was asked for must be in it.
        const floor = new Map(acknowledged);
        const page = await t.request('GET', `/v2/${PROJECT}/cleanups?limit=10`, { token: w.observer });
        assert.equal(page.status, 200, page.text);
        const shown = bytesOf(page.body);
        for (const [id, value] of floor) assert.ok(shown.get(id)! >= value, `${id}: ${shown.get(id)} shown after ${value} was acknowledged`);
        pages++;
      }
    });
    await Promise.all(reporters);
    done = true;
    await Promise.all(readers);
    assert.ok(pages > 3, `${pages} pages read while reporting`);
    const last = await t.request('GET', `/v2/${PROJECT}/cleanups?limit=10`, { token: w.observer });
    for (const id of ids) assert.equal(bytesOf(last.body).get(id), 25);
    await checkPage({ limit: '10' });
  });
});
