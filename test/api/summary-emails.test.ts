// Daily and weekly summary e-mails over real SMTP (aiosmtpd), decided by the server's own code at an injected time:
// backups by state, agents that were offline, scheduled configurations without a completed backup; one e-mail per
// address and period however many passes run. Rows are back-dated in the database to place them in the period.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decideSummaries } from '../../src/resources/notifications/summary-emails.js';
import { buildWorld, patchHeaders, PROJECT, registerAgent, type World } from '../helpers/fixtures.js';
import { smtpUnavailable, startSmtpServer, type SmtpServer } from '../helpers/smtp-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const skip = smtpUnavailable();
const NOW = new Date('2026-01-06T00:05:00Z'); // a Tuesday: the day summarised is 2026-01-05, the week 2026-W01

describe('summary e-mails', { skip, timeout: 120_000 }, () => {
  let t: TestServer;
  let w: World;
  let smtp: SmtpServer;
  const k = randomBytes(4).toString('hex');
  const ids: Record<string, string> = {};

  before(async () => {
    smtp = await startSmtpServer();
    t = await startTestServer({ smtpUrl: smtp.url, mailFrom: 'coffer@test.example', deliveryPollMs: 100, deliveryTimeoutMs: 2000, alertCheckMs: 3_600_000 });
    w = await buildWorld(t);
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  const db = () => t.server.ctx.store.db;

  async function newConfig(name: string, hour: number | null): Promise<string> {
    const res = await t.request('POST', `/v2/${PROJECT}/configurations`, {
      token: w.creator,
      body: {
        agent_id: w.agent.id,
        name,
        enabled: true,
        schedule: hour === null ? null : { recurrence: [`RRULE:FREQ=DAILY;BYHOUR=${hour};BYMINUTE=0`], time_zone: 'UTC' },
        retention: { days: 30 },
        inclusions: [{ type: 'folder', path: '/srv/' }],
        exclusions: [],
        notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
      },
    });
    assert.equal(res.status, 201, res.text);
    await db().updateTable('configurations').set({ created_at: '2026-01-04T00:00:00.000000Z' }).where('id', '=', res.body.id).execute();
    return res.body.id;
  }

  /** A backup created at `created` (back-dated) that its agent reports ended in `state` at `ended`. */
  async function backup(configurationId: string, state: string, created: string, ended: string): Promise<void> {
    const res = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configurationId, state: 'start_requested' } });
    assert.equal(res.status, 201, res.text);
    await db().updateTable('jobs').set({ created_at: created }).where('id', '=', res.body.id).execute();
    const patch = await t.request('PATCH', `/v2/${PROJECT}/backups/${res.body.id}`, {
      token: w.agent.token,
      headers: patchHeaders,
      raw: JSON.stringify([
        { op: 'replace', path: '/state', value: state },
        { op: 'add', path: '/started_time', value: created },
        { op: 'add', path: '/ended_time', value: ended },
      ]),
    });
    assert.equal(patch.status, 204, patch.text);
  }

  it('summarises the last day and the last week once each, to every address', async () => {
    const settings = await t.request('PUT', `/v2/${PROJECT}/settings/summaries`, {
      token: w.creator,
      body: {
        daily: true,
        weekly: true,
        notifications: [
          { type: 'email', destination: `a-${k}@example.com` },
          { type: 'email', destination: `b-${k}@example.com` },
        ],
      },
    });
    assert.equal(settings.status, 204, settings.text);
    ids.nightly = await newConfig(`Nightly ${k}`, 2);
    ids.noon = await newConfig(`Noon ${k}`, 12);
    ids.manual = await newConfig(`Manual ${k}`, null);
    // 2026-01-04 (week 2026-W01): the noon backup completed, the nightly one never ran.
    await backup(ids.noon, 'completed', '2026-01-04T12:00:01.000000Z', '2026-01-04T12:05:00.000000Z');
    // 2026-01-05: nightly completed, noon failed, the manual one completed.
    await backup(ids.nightly, 'completed', '2026-01-05T02:00:05.000000Z', '2026-01-05T02:10:00.000000Z');
    await backup(ids.noon, 'failed', '2026-01-05T12:00:03.000000Z', '2026-01-05T12:01:00.000000Z');
    await backup(ids.manual, 'completed', '2026-01-05T15:00:00.000000Z', '2026-01-05T15:20:00.000000Z');
    // An agent last heard on 2026-01-04, and never since.
    const old = await registerAgent(t, w.admin, PROJECT, { name: `Old host ${k}` });
    await db().updateTable('agents').set({ last_seen_at: '2026-01-04T09:00:00.000Z' }).where('id', '=', old.id).execute();

    // Two passes at once (as two nodes), then another: two summaries decided in all.
    const counts = await Promise.all([decideSummaries(t.server.ctx, NOW), decideSummaries(t.server.ctx, NOW)]);
    assert.equal(counts[0] + counts[1], 2);
    assert.equal(await decideSummaries(t.server.ctx, new Date(NOW.getTime() + 3600_000)), 0, 'later the same day: nothing new');

    const mine = (m: { to: string }) => m.to.endsWith(`-${k}@example.com`);
    await smtp.waitFor(4, mine, 5_000);
    await new Promise((r) => setTimeout(r, 500));
    const mails = smtp.messages().filter(mine);
    assert.equal(mails.length, 4, mails.map((m) => `${m.to} ${m.subject}`).join('\n'));
    const daily = mails.filter((m) => m.subject.includes('Daily summary 2026-01-05'));
    const weekly = mails.filter((m) => m.subject.includes('Weekly summary 2026-W01'));
    assert.deepEqual(daily.map((m) => m.to).sort(), [`a-${k}@example.com`, `b-${k}@example.com`]);
    assert.deepEqual(weekly.map((m) => m.to).sort(), [`a-${k}@example.com`, `b-${k}@example.com`]);

    const day = daily[0]!;
    assert.equal(day.subject, `[Coffer] Daily summary 2026-01-05 (project ${PROJECT}): 2 backups completed, 1 not, 1 agent offline, 1 configuration behind`);
    assert.match(day.body, /Period: 2026-01-05T00:00:00\.000000Z to 2026-01-06T00:00:00\.000000Z/);
    assert.match(day.body, /completed\s+2\n/);
    assert.match(day.body, /failed\s+1\n/);
    assert.match(day.body, new RegExp(`"Old host ${k}" \\(${old.id}\\): last heard 2026-01-04T09:00:00\\.000Z, still offline`));
    const offlineSection = day.body.slice(day.body.indexOf('Agents that were offline:'), day.body.indexOf('Configurations without'));
    assert.equal(offlineSection.trim().split('\n').length, 2, 'only the old host: agents heard from are not listed');
    assert.match(day.body, new RegExp(`"Noon ${k}" on "Web Server" \\(${ids.noon}\\): 1 of 1 scheduled run without a completed backup; last completed 2026-01-04T12:05:00`));
    assert.doesNotMatch(day.body, new RegExp(`"Nightly ${k}"`));
    assert.doesNotMatch(day.body, new RegExp(`"Manual ${k}"`));

    const week = weekly[0]!;
    assert.match(week.body, /Period: 2025-12-29T00:00:00\.000000Z to 2026-01-05T00:00:00\.000000Z/);
    assert.match(week.body, /completed\s+1\n/);
    assert.doesNotMatch(week.body, /failed\s+\d/);
    assert.match(week.body, new RegExp(`"Nightly ${k}" on "Web Server" \\(${ids.nightly}\\): 1 of 1 scheduled run without a completed backup; last completed 2026-01-05T02:10:00`));
    assert.doesNotMatch(week.body, new RegExp(`"Noon ${k}"`));

    const runs = await db().selectFrom('summary_runs').selectAll().where('project_id', '=', PROJECT).orderBy('period').execute();
    assert.deepEqual(
      runs.map((r) => [r.period, r.period_key]),
      [
        ['daily', '2026-01-05'],
        ['weekly', '2026-W01'],
      ],
    );
  });

  it('sends nothing for a project whose summaries are off, and the next day gets its own summary', async () => {
    const off = await t.request('PUT', `/v2/${PROJECT}/settings/summaries`, {
      token: w.creator,
      body: { daily: false, weekly: false, notifications: [{ type: 'email', destination: `a-${k}@example.com` }] },
    });
    assert.equal(off.status, 204);
    assert.equal(await decideSummaries(t.server.ctx, new Date('2026-01-07T00:01:00Z')), 0);
    const on = await t.request('PUT', `/v2/${PROJECT}/settings/summaries`, { token: w.creator, body: { daily: true, notifications: [{ type: 'email', destination: `c-${k}@example.com` }] } });
    assert.equal(on.status, 204);
    assert.equal(await decideSummaries(t.server.ctx, new Date('2026-01-07T00:01:00Z')), 1);
    const [mail] = await smtp.waitFor(1, (m) => m.to === `c-${k}@example.com`, 5_000);
    assert.match(mail!.subject, /Daily summary 2026-01-06 .*0 backups completed, 0 not/);
  });
});
