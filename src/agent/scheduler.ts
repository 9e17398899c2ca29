import type { Logger } from 'pino';
import { isInsideWindow } from '../domain/backup-window/index.js';
import type { AgentApi } from './agent-api.js';
import type { AgentClock } from './clock.js';
import type { ConfigurationCache } from './configuration-document.js';
import { BackupState } from '../domain/job-states.js';

/** A scheduled time this far in the past (by the agent's clock) still starts; older ones were missed. */
const LATE_GRACE_MS = 30_000;
const REFRESH_INTERVAL_MS = 10 * 60_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How a scheduled backup that failed for a transient cause is tried again. */
export interface BackupRetryPolicy {
  /** Further tries after the first failure (0: none). */
  retries: number;
  delayMs: number;
}

/** COFFER_AGENT_BACKUP_RETRIES (default 2) and COFFER_AGENT_BACKUP_RETRY_DELAY_SECONDS (default 300). */
export function backupRetryFromEnv(env: NodeJS.ProcessEnv = process.env): BackupRetryPolicy {
  const read = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${text}"`);
    return value;
  };
  return { retries: Math.floor(read('COFFER_AGENT_BACKUP_RETRIES', 2)), delayMs: read('COFFER_AGENT_BACKUP_RETRY_DELAY_SECONDS', 300) * 1000 };
}

/**
 * Starts scheduled backups by the agent's own clock at the `times` of its configuration document: at each time it
 * creates the backup (`POST /backups`, `start_scheduled`, with `X-Agent-Id`) and hands it to the work queue. Each
 * (configuration, time) fires once; the document is re-read after a start and every ten minutes, so `times` moves on.
 */
export class BackupScheduler {
  private timers = new Map<string, NodeJS.Timeout>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private readonly fired = new Set<string>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly api: AgentApi,
    private readonly configs: ConfigurationCache,
    private readonly clock: AgentClock,
    private readonly log: Logger,
    private readonly startBackup: (backupId: string, configurationId: string, attempt: number) => Promise<void>,
    private readonly retryPolicy: BackupRetryPolicy = backupRetryFromEnv(),
    private readonly random: () => number = Math.random,
  ) {}

  async refresh(reload = false): Promise<void> {
    if (this.stopped) return;
    const document = reload ? await this.configs.reload() : await this.configs.get();
    // Stopped while the document was on its way: set no timer (one would keep a stopped agent's process alive).
    if (this.stopped) return;
    const wanted = new Map<string, { configurationId: string; at: number }>();
    for (const configuration of document.configurations) {
      if (!configuration.enabled || !configuration.times) continue;
      for (const time of configuration.times) {
        const at = Date.parse(time);
        const key = `${configuration.id}@${time}`;
        if (Number.isNaN(at) || this.fired.has(key)) continue;
        const delay = this.clock.until(at);
        if (delay < -LATE_GRACE_MS || delay > MAX_TIMER_MS) continue;
        wanted.set(key, { configurationId: configuration.id, at });
      }
    }
    for (const [key, timer] of this.timers) {
      if (!wanted.has(key)) {
        clearTimeout(timer);
        this.timers.delete(key);
      }
    }
    for (const [key, { configurationId, at }] of wanted) {
      if (this.timers.has(key)) continue;
      const timer = setTimeout(() => void this.fire(key, configurationId, at), Math.max(0, this.clock.until(at)));
      this.timers.set(key, timer);
      this.log.debug({ configuration: configurationId, at: new Date(at).toISOString() }, 'backup scheduled');
    }
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(true).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'schedule refresh failed')), REFRESH_INTERVAL_MS);
  }

  /**
   * A scheduled backup (try `attempt`, the first is 0) failed because the server or the network was away: unless
   * the tries are used up, a new scheduled backup of the configuration starts after the retry delay.
   */
  retryAfterTransientFailure(configurationId: string, attempt: number): boolean {
    if (this.stopped || attempt >= this.retryPolicy.retries) return false;
    this.log.warn(
      { configuration: configurationId, retry: attempt + 1, of: this.retryPolicy.retries, delayMs: this.retryPolicy.delayMs },
      'scheduled backup failed for a transient cause; it will be tried again',
    );
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      if (!this.stopped) void this.create(configurationId, attempt + 1);
    }, this.retryPolicy.delayMs);
    this.retries.add(timer);
    return true;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async fire(key: string, configurationId: string, at: number): Promise<void> {
    this.timers.delete(key);
    if (this.stopped || this.fired.has(key)) return;
    this.fired.add(key);
    if (!(await this.insideWindow(configurationId, at))) return;
    await this.jitter(configurationId);
    if (this.stopped) return;
    await this.create(configurationId, 0);
    await this.refresh(true).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'schedule refresh failed'));
  }

  /**
   * Whether the scheduled time `at` is inside the configuration's backup window (by the latest document). The server
   * leaves times outside it out of `times`; this catches a window changed after the document was read. A time
   * outside is skipped: no backup, and the server's missed-backup check does not expect one.
   */
  private async insideWindow(configurationId: string, at: number): Promise<boolean> {
    const window = (await this.configs.get()).configurations.find((c) => c.id === configurationId)?.backup_window;
    if (!window || isInsideWindow(window, window.time_zone, at)) return true;
    this.log.info({ configuration: configurationId, at: new Date(at).toISOString(), window: `${window.start}-${window.end} ${window.time_zone}` }, 'scheduled time outside the backup window: skipped');
    return false;
  }

  /**
   * Waits a random moment within the project's start jitter window (`job_controls.start_jitter_seconds`), so that
   * many agents with the same schedule do not all start at the same second.
   */
  private async jitter(configurationId: string): Promise<void> {
    const windowSeconds = (await this.configs.get()).system_preferences?.job_controls?.start_jitter_seconds ?? 0;
    if (!(windowSeconds > 0)) return;
    const delayMs = Math.floor(this.random() * windowSeconds * 1000);
    this.log.debug({ configuration: configurationId, delayMs }, 'scheduled backup waits its start jitter');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        resolve();
      }, delayMs);
      this.retries.add(timer);
    });
  }

  private async create(configurationId: string, attempt: number): Promise<void> {
    try {
      const created = await this.api.post<{ id: string; state: string; queue_position?: number | null }>(this.api.v2('backups'), {
        configuration_id: configurationId,
        state: BackupState.start_scheduled,
      });
      const { id, state, queue_position: position } = created.body;
      if (state === BackupState.queued && typeof position === 'number') {
        // The server's limits are reached: it sends a start request for this backup when a slot frees.
        this.log.info({ configuration: configurationId, backup: id, position }, 'scheduled backup waits in the server queue');
        return;
      }
      this.log.info({ configuration: configurationId, backup: id, attempt }, 'scheduled backup created');
      await this.startBackup(id, configurationId, attempt);
    } catch (err) {
      this.log.error({ configuration: configurationId, err: (err as Error).message }, 'scheduled backup could not start');
    }
  }
}
