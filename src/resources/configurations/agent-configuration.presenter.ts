import type { Urls } from '../../server/links.js';
import type { Agent } from '../agents/agent.js';
import { heartbeatIntervals, heartbeatTimeouts } from '../agents/agent-activity.js';
import { vaultLinks } from '../agents/agent.presenter.js';
import { scheduleStart, toScheduleTime, windowTimeZone, type Configuration } from './configuration.js';
import { upcomingTimes } from './configuration-schedule.js';
import { presentRetention } from './configuration.presenter.js';

/** How often agents poll this server's event stream, per activation mode (§3.1.3); heartbeats follow the server's setting. */
const POLLING_TIMING = { interval_ms: { idle: 10000, active: 1000, real_time: 300 }, timeout_ms: { idle: 90000, active: 60000, real_time: 40000 } };

const MINIMUM_DISK_SPACE_MB = { backup: 100, restore: 100, cleanup: 100 };
const SCHEDULED_TIMES_SHOWN = 3;

/**
 * `GET /agents/{id}/configuration`: what the agent needs to work. The `rse` push channel of the hosted service is
 * replaced by this server's own event stream, which agents poll (or long-poll).
 */
/** How the agent paces its work (Coffer's own part of the document). */
export interface JobControls {
  /** Backups, restores and cleanups it runs at once. */
  max_running_jobs: number;
  /** It starts each scheduled backup at a random moment up to this many seconds after its time. */
  start_jitter_seconds: number;
  /** Its vault uploads and downloads, in bytes per second (null: no limit). */
  upload_bytes_per_second: number | null;
  download_bytes_per_second: number | null;
}

export function presentAgentConfiguration(agent: Agent, configurations: Configuration[], urls: Urls, idleHeartbeatMs: number, jobControls: JobControls, now = new Date()) {
  return {
    system_preferences: {
      environment: { minimum_disk_space_mb: MINIMUM_DISK_SPACE_MB },
      logging: { level: agent.logLevel },
      events: {
        rse: {
          host: urls.base,
          channel: new URL(urls.v2('agents', agent.id, 'events')).pathname,
          polling: POLLING_TIMING,
          heartbeat: { interval_ms: heartbeatIntervals(idleHeartbeatMs), timeout_ms: heartbeatTimeouts(idleHeartbeatMs) },
        },
      },
      backup_controls: { disable_vss: 0 },
      job_controls: jobControls,
    },
    vaults: [
      {
        id: agent.vault.id,
        use_internal: agent.vault.useInternal,
        encrypted: agent.vault.encrypted,
        links: [...vaultLinks(agent, urls), { href: urls.base, rel: 'data_services' }],
      },
    ],
    configurations: configurations.map((configuration) => {
      const times = upcomingTimes(configuration, now, SCHEDULED_TIMES_SHOWN)?.map(toScheduleTime) ?? null;
      return {
        id: configuration.id,
        name: configuration.name,
        enabled: configuration.enabled,
        vault_id: agent.vault.id,
        retention: presentRetention(configuration.retention),
        times,
        // The Python SDK reads these beside `times`.
        schedule: configuration.schedule === null ? null : { start: scheduleStart(configuration), recurrence: configuration.schedule.recurrence, time_zone: configuration.schedule.time_zone },
        backups: { next: { scheduled_time: times && times.length > 0 ? times[0] : null } },
        inclusions: configuration.inclusions,
        exclusions: configuration.exclusions,
        // Coffer's own: this configuration's vault bandwidth, applied on top of job_controls' agent-wide limits.
        bandwidth: { ...configuration.bandwidth },
        // Coffer's own: when its scheduled backups may run (times of day in `time_zone`); null: any time.
        backup_window: configuration.backup_window === null ? null : { ...configuration.backup_window, time_zone: windowTimeZone(configuration) },
      };
    }),
  };
}
