/** Subject and plain-text body of a notification e-mail, from the event document stored in the outbox. */
import { DrillRunState } from '../../domain/job-states.js';
export interface RenderedEmail {
  subject: string;
  text: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the presented JSON of an event, read field by field
type Doc = Record<string, any>;

const KIND_TITLE: Record<string, string> = { backup: 'Backup', restore: 'Restore', cleanup: 'Cleanup' };
const STATE_TEXT: Record<string, string> = {
  completed: 'completed',
  completed_with_errors: 'completed with errors',
  failed: 'FAILED',
  missed: 'MISSED',
  skipped: 'SKIPPED',
  stopped: 'stopped',
};

/** `links` are absolute (console and API); they come from COFFER_PUBLIC_URL or the listening address. */
export function renderEmail(eventType: string, doc: Doc, links: { console: string | null; api: string | null }): RenderedEmail {
  if (doc.job) return renderJobEnded(doc, links);
  if (doc.drill_run) return renderDrillEnded(doc, links);
  if (eventType.startsWith('agent.')) return renderAgentPresence(eventType, doc, links);
  if (eventType.startsWith('summary.')) return { subject: String(doc.subject), text: `${doc.text}\n${links.console ? `\nConsole: ${links.console}\n` : ''}` };
  return { subject: `[Coffer] ${eventType}`, text: JSON.stringify(doc, null, 2) };
}

function renderJobEnded(doc: Doc, links: { console: string | null; api: string | null }): RenderedEmail {
  const job = doc.job as Doc;
  const kind = KIND_TITLE[job.kind] ?? job.kind;
  const state = STATE_TEXT[job.state] ?? job.state;
  const configuration = doc.configuration ? `"${doc.configuration.name}"` : '(no configuration)';
  const agent = doc.agent?.name ? `"${doc.agent.name}"` : doc.agent?.id;
  const lines = [
    `${kind} ${state}`,
    '',
    `Configuration: ${configuration}${doc.configuration ? ` (${doc.configuration.id})` : ''}`,
    `Agent:         ${agent} (${doc.agent?.id})`,
    `${kind} id:${' '.repeat(Math.max(1, 10 - kind.length))}${job.id}`,
    `State:         ${job.state}`,
  ];
  if (job.scheduled_time) lines.push(`Scheduled:     ${job.scheduled_time}`);
  lines.push(`Started:       ${job.started_time ?? '-'}`, `Ended:         ${job.ended_time ?? '-'}`);
  if (job.duration_seconds !== null && job.duration_seconds !== undefined) lines.push(`Duration:      ${formatDuration(job.duration_seconds)}`);
  const counters = Object.entries((job.results ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'number');
  if (counters.length > 0) {
    lines.push('');
    for (const [name, value] of counters) lines.push(`${name.padEnd(22)} ${name.startsWith('bytes') ? formatBytes(value as number) : String(value)}`);
  }
  const errors = job.errors as Doc | undefined;
  if (errors && errors.count > 0) {
    lines.push('', `Errors: ${errors.count}${errors.reason ? ` (${errors.reason})` : ''}`);
    for (const error of (errors.first ?? []) as Doc[]) {
      const description = error?.exception?.description ?? error?.type ?? '';
      lines.push(`  - ${error?.path ?? ''}${description ? `: ${description}` : ''}`);
    }
    if (errors.count > (errors.first?.length ?? 0)) lines.push(`  … and ${errors.count - errors.first.length} more`);
  }
  if (links.console) lines.push('', `Open in the console: ${links.console}`);
  if (links.api) lines.push(`API: ${links.api}`);
  return { subject: `[Coffer] ${kind} ${state}: ${configuration} on ${agent}`, text: `${lines.join('\n')}\n` };
}

function renderDrillEnded(doc: Doc, links: { console: string | null; api: string | null }): RenderedEmail {
  const run = doc.drill_run as Doc;
  const passed = run.state === DrillRunState.passed;
  const drill = `"${doc.drill?.name ?? doc.drill?.id}"`;
  const agent = doc.agent?.name ? `"${doc.agent.name}"` : doc.agent?.id;
  const restore = run.results?.restore as Doc | undefined;
  const check = run.results?.check as Doc | undefined;
  const lines = [
    passed ? `Restore drill ${drill} passed: the backup was restored and the check succeeded.` : `Restore drill ${drill} FAILED.`,
    '',
    `Drill:         ${drill} (${doc.drill?.id})`,
    `Configuration: ${doc.configuration ? `"${doc.configuration.name}" (${doc.configuration.id})` : '(deleted)'}`,
    `Agent:         ${agent} (${doc.agent?.id})`,
    `Run id:        ${run.id}`,
    `Backup:        ${run.backup_id ?? '-'}`,
    `Started:       ${run.created_time}`,
    `Ended:         ${run.ended_time ?? '-'}`,
  ];
  if (restore) lines.push(`Restore:       ${restore.state}, ${restore.files_restored ?? 0} files, ${formatBytes(restore.bytes_restored ?? 0)}`);
  if (check) lines.push(`Check:         ${check.state}${check.failure_reason ? ` (${check.failure_reason})` : ''}`);
  if (!passed) lines.push('', `Reason: ${run.failure_reason ?? 'unknown'}`);
  if (links.console) lines.push('', `Open in the console: ${links.console}`);
  if (links.api) lines.push(`API: ${links.api}`);
  return { subject: `[Coffer] Restore drill ${passed ? 'passed' : 'FAILED'}: ${drill} on ${agent}`, text: `${lines.join('\n')}\n` };
}

function renderAgentPresence(eventType: string, doc: Doc, links: { console: string | null }): RenderedEmail {
  const name = doc.agent?.name ? `"${doc.agent.name}"` : doc.agent?.id;
  const offline = eventType === 'agent.offline';
  const lines = offline
    ? [
        `The agent ${name} has not been heard from since ${doc.agent?.last_seen_at ?? 'it registered'}, more than ${formatDuration(doc.threshold_seconds ?? 0)}.`,
        '',
        `Agent:      ${doc.agent?.id}`,
        `Last seen:  ${doc.agent?.last_seen_at ?? 'never'}`,
        `Threshold:  ${formatDuration(doc.threshold_seconds ?? 0)}`,
      ]
    : [`The agent ${name} is back online.`, '', `Agent:      ${doc.agent?.id}`, `Away since: ${doc.offline_since ?? '-'}`, `Heard at:   ${doc.agent?.last_seen_at ?? '-'}`];
  if (links.console) lines.push('', `Open in the console: ${links.console}`);
  return { subject: `[Coffer] Agent ${offline ? 'offline' : 'back online'}: ${name}`, text: `${lines.join('\n')}\n` };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}
