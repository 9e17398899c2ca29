import type { Kysely } from 'kysely';
import { nextScheduledTimes, type StoredSchedule } from '../../domain/schedule/index.js';
import { JOB_MACHINES } from '../../domain/state-machines/job-machines.js';
import type { JobKind } from '../../domain/job-states.js';
import { toWireTime } from '../../server/time.js';
import type { Database } from '../../store/database.js';
import { effectiveMode, isOnline } from '../agents/agent-activity.js';
import { scheduleStart } from '../configurations/configuration.js';
import type { SummaryPeriod } from './summary-periods.js';
import { BackupState } from '../../domain/job-states.js';

/** Most scheduled times judged per configuration and period (a schedule every minute has 10,080 a week). */
const MAX_SLOTS = 1000;
const TERMINAL = [...new Set((Object.keys(JOB_MACHINES) as JobKind[]).flatMap((kind) => JOB_MACHINES[kind].terminal as readonly string[]))];
const BACKUP_TERMINAL = JOB_MACHINES.backup.terminal as readonly string[];

export interface OfflineAgent {
  id: string;
  name: string;
  last_seen_at: string | null;
  /** When it was heard from again, or null while still away. */
  back_at: string | null;
}

export interface BehindConfiguration {
  id: string;
  name: string;
  agent: { id: string; name: string };
  /** Scheduled times in the period that were judged (a backup still running is not judged yet). */
  scheduled: number;
  /** Of those, how many got no backup that completed. */
  without_success: number;
  last_success_at: string | null;
}

/** The summary document stored in the outbox: facts for webhooks and tests, plus the rendered e-mail. */
export interface SummaryDocument {
  type: string;
  project_id: string;
  period: { name: string; key: string; start: string; end: string };
  jobs_by_state: { kind: string; state: string; count: number }[];
  offline_agents: OfflineAgent[];
  configurations_behind: BehindConfiguration[];
  subject: string;
  text: string;
}

export interface SummaryInputs {
  db: Kysely<Database>;
  projectId: string;
  period: SummaryPeriod;
  /** When the summary is made (agents not heard from by then count as offline). */
  now: Date;
  idleHeartbeatMs: number;
  /** A scheduled backup may start this long before or after its time (the missed-backup grace). */
  graceMs: number;
}

/**
 * What a project's summary e-mail says about one period: jobs that ended in it by kind and state, agents that were
 * offline in it (announced absences overlapping it, and agents offline when it is made), and scheduled
 * configurations with scheduled times in it that got no completed backup.
 */
export async function buildSummary(inputs: SummaryInputs): Promise<SummaryDocument> {
  const { period, projectId } = inputs;
  const [jobs, offline, behind] = await Promise.all([jobsByState(inputs), offlineAgents(inputs), configurationsBehind(inputs)]);
  const document = {
    type: `summary.${period.name}`,
    project_id: projectId,
    period: { name: period.name, key: period.key, start: toWireTime(period.start), end: toWireTime(period.end) },
    jobs_by_state: jobs,
    offline_agents: offline,
    configurations_behind: behind,
  };
  return { ...document, ...render(document) };
}

async function jobsByState({ db, projectId, period }: SummaryInputs) {
  const rows = await db
    .selectFrom('jobs')
    .select(['kind', 'state'])
    .select((eb) => eb.fn.countAll().as('count'))
    .where('project_id', '=', projectId)
    .where('state', 'in', TERMINAL)
    .where((eb) => eb(eb.fn.coalesce('ended_time', 'updated_at'), '>=', toWireTime(period.start)))
    .where((eb) => eb(eb.fn.coalesce('ended_time', 'updated_at'), '<', toWireTime(period.end)))
    .groupBy(['kind', 'state'])
    .execute();
  return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.count) })).sort((a, b) => a.kind.localeCompare(b.kind) || b.count - a.count);
}

async function offlineAgents({ db, projectId, period, now, idleHeartbeatMs }: SummaryInputs): Promise<OfflineAgent[]> {
  const absences = await db
    .selectFrom('agent_absences as x')
    .innerJoin('agents as a', 'a.id', 'x.agent_id')
    .select(['a.id', 'a.name', 'x.last_seen_at', 'x.back_at'])
    .where('x.project_id', '=', projectId)
    .where('x.last_seen_at', '<', period.end.toISOString())
    .where((eb) => eb.or([eb('x.back_at', 'is', null), eb('x.back_at', '>=', period.start.toISOString())]))
    .orderBy('x.seq')
    .execute();
  const found = new Map<string, OfflineAgent>();
  for (const a of absences) found.set(a.id, { id: a.id, name: a.name, last_seen_at: a.last_seen_at, back_at: a.back_at });
  const agents = await db
    .selectFrom('agents')
    .select(['id', 'name', 'last_seen_at', 'activation_mode', 'activation_until'])
    .where('project_id', '=', projectId)
    .where('enabled', '=', 1)
    .orderBy('seq')
    .execute();
  for (const a of agents) {
    if (found.has(a.id) || isOnline(a.last_seen_at, effectiveMode(a.activation_mode, a.activation_until, now), now, idleHeartbeatMs)) continue;
    if (a.last_seen_at !== null && a.last_seen_at >= period.end.toISOString()) continue;
    found.set(a.id, { id: a.id, name: a.name, last_seen_at: a.last_seen_at, back_at: null });
  }
  return [...found.values()];
}

async function configurationsBehind({ db, projectId, period, now, graceMs }: SummaryInputs): Promise<BehindConfiguration[]> {
  const configurations = await db
    .selectFrom('configurations as c')
    .innerJoin('agents as a', 'a.id', 'c.agent_id')
    .select(['c.id', 'c.name', 'c.schedule', 'c.created_at', 'a.id as agent_id', 'a.name as agent_name'])
    .where('c.project_id', '=', projectId)
    .where('c.deleted', '=', 0)
    .where('c.enabled', '=', 1)
    .where('c.schedule', 'is not', null)
    .where('a.enabled', '=', 1)
    .orderBy('c.seq')
    .execute();
  const behind: BehindConfiguration[] = [];
  for (const c of configurations) {
    const schedule = JSON.parse(c.schedule!) as StoredSchedule;
    const from = new Date(Math.max(period.start.getTime(), Date.parse(c.created_at)) - 1);
    let times: Date[];
    try {
      times = nextScheduledTimes(schedule, new Date(scheduleStart({ createdAt: c.created_at })), from, MAX_SLOTS + 1) ?? [];
    } catch {
      continue;
    }
    const slots = times.filter((t) => t < period.end).slice(0, MAX_SLOTS);
    if (slots.length === 0) continue;
    // Slot i owns the backups created from (its time − grace) until (the next time − grace).
    const bounds = [...slots, times[slots.length] ?? new Date(period.end.getTime() + graceMs)].map((t) => t.getTime() - graceMs);
    const backups = await db
      .selectFrom('jobs')
      .select(['state', 'created_at'])
      .where('configuration_id', '=', c.id)
      .where('kind', '=', 'backup')
      .where('created_at', '>=', toWireTime(new Date(bounds[0]!)))
      .where('created_at', '<', toWireTime(new Date(Math.min(bounds[bounds.length - 1]!, now.getTime()))))
      .execute();
    let judged = 0;
    let withoutSuccess = 0;
    for (let i = 0; i < slots.length; i++) {
      const mine = backups.filter((b) => {
        const created = Date.parse(b.created_at);
        return created >= bounds[i]! && created < bounds[i + 1]!;
      });
      if (mine.some((b) => b.state === BackupState.completed)) judged++;
      else if (mine.some((b) => !BACKUP_TERMINAL.includes(b.state))) continue;
      else {
        judged++;
        withoutSuccess++;
      }
    }
    if (withoutSuccess === 0) continue;
    const last = await db
      .selectFrom('jobs')
      .select(['ended_time', 'updated_at'])
      .where('configuration_id', '=', c.id)
      .where('kind', '=', 'backup')
      .where('state', '=', BackupState.completed)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    behind.push({
      id: c.id,
      name: c.name,
      agent: { id: c.agent_id, name: c.agent_name },
      scheduled: judged,
      without_success: withoutSuccess,
      last_success_at: last ? (last.ended_time ?? last.updated_at) : null,
    });
  }
  return behind;
}

const PERIOD_TITLE: Record<string, string> = { daily: 'Daily', weekly: 'Weekly' };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function render(doc: Omit<SummaryDocument, 'subject' | 'text'>): { subject: string; text: string } {
  const title = PERIOD_TITLE[doc.period.name] ?? doc.period.name;
  const backups = doc.jobs_by_state.filter((j) => j.kind === 'backup');
  const count = (state: string) => backups.find((b) => b.state === state)?.count ?? 0;
  const failing = backups.filter((b) => b.state !== BackupState.completed && b.state !== BackupState.stopped).reduce((n, b) => n + b.count, 0);
  const subject =
    `[Coffer] ${title} summary ${doc.period.key} (project ${doc.project_id}): ` +
    `${plural(count(BackupState.completed), 'backup')} completed, ${failing} not, ` +
    `${plural(doc.offline_agents.length, 'agent')} offline, ${plural(doc.configurations_behind.length, 'configuration')} behind`;
  const lines = [`${title} summary of project ${doc.project_id}`, `Period: ${doc.period.start} to ${doc.period.end} (UTC)`, '', 'Backups that ended, by state:'];
  if (backups.length === 0) lines.push('  none');
  for (const b of backups) lines.push(`  ${b.state.padEnd(22)} ${b.count}`);
  const others = doc.jobs_by_state.filter((j) => j.kind !== 'backup');
  if (others.length > 0) {
    lines.push('', 'Restores and cleanups that ended:');
    for (const j of others) lines.push(`  ${`${j.kind} ${j.state}`.padEnd(30)} ${j.count}`);
  }
  lines.push('', 'Agents that were offline:');
  if (doc.offline_agents.length === 0) lines.push('  none');
  for (const a of doc.offline_agents) {
    lines.push(`  "${a.name}" (${a.id}): last heard ${a.last_seen_at ?? 'never'}, ${a.back_at ? `back at ${a.back_at}` : 'still offline'}`);
  }
  lines.push('', 'Configurations without a successful backup in their schedule window:');
  if (doc.configurations_behind.length === 0) lines.push('  none');
  for (const c of doc.configurations_behind) {
    lines.push(
      `  "${c.name}" on "${c.agent.name}" (${c.id}): ${c.without_success} of ${plural(c.scheduled, 'scheduled run')} without a completed backup; ` + `last completed ${c.last_success_at ?? 'never'}`,
    );
  }
  return { subject, text: `${lines.join('\n')}\n` };
}
