import os from 'node:os';
import type { Logger } from 'pino';
import { AgentApi } from './agent-api.js';
import { logFileOf, stateFileOf, type AgentConfig } from './agent-config.js';
import { pinoLevel } from './agent-log.js';
import { AgentState, type WorkRecord } from './agent-state.js';
import { AgentVault } from './agent-vault.js';
import { AgentClock } from './clock.js';
import { ConfigurationCache, type ConfigurationDocument } from './configuration-document.js';
import { BackupWindowGuard } from './backup-window-guard.js';
import { ConfigurationBandwidths, runWithJobTransfers } from './job-transfers.js';
import { TransferGate } from './transfer-gate.js';
import { unlimitedBandwidth } from './token-bucket.js';
import { ScratchFolders } from './drill-scratch.js';
import { pollEvents, type AgentEvent } from './event-poller.js';
import { Heartbeat, type ActivationMode } from './heartbeat.js';
import { runBackupJob } from './jobs/backup-job.js';
import { runBackupBrowse, runHostBrowse } from './jobs/browse-job.js';
import { runVerificationJob, verificationWorkFromEvent } from './jobs/verification-job.js';
import { runCleanupJob } from './jobs/cleanup-job.js';
import type { JobKind } from '../domain/job-states.js';
import type { JobRuntime } from './jobs/job-runtime.js';
import { logfileWorkFromEvent, runLogfileJob } from './jobs/logfile-job.js';
import { restoreWorkFromEvent, runRestoreJob, type RestoreWork } from './jobs/restore-job.js';
import { TaskRunner, taskWorkFromEvent } from './jobs/task-job.js';
import { runPasswordVerification, runVaultEncryption } from './jobs/vault-request-job.js';
import { recoverInterruptedWork } from './recovery.js';
import { BackupScheduler } from './scheduler.js';
import { AgentGoneError, AgentSession } from './session.js';
import { isTransientFailure } from '../net/transient-failure.js';
import { VaultKeyCustody } from './vault-key-custody.js';
import { WorkQueue } from './work-queue.js';

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * `coffer agent run`: log in, say `startup`, read the configuration document, settle work left from a previous
 * run, then follow the event stream and the schedule until told to stop.
 */
export class AgentDaemon {
  private readonly stopController = new AbortController();
  private readonly session: AgentSession;
  private readonly api: AgentApi;
  private readonly state: AgentState;
  private readonly configs: ConfigurationCache;
  private readonly rt: JobRuntime;
  private readonly queue: WorkQueue;
  private readonly tasks: TaskRunner;
  private readonly heartbeat: Heartbeat;
  private readonly scheduler: BackupScheduler;
  private gone: AgentGoneError | undefined;
  private readonly bandwidth = unlimitedBandwidth();
  private readonly configurationBandwidths = new ConfigurationBandwidths();

  constructor(
    private readonly config: AgentConfig,
    configPath: string,
    private readonly log: Logger,
    clock = AgentClock.fromEnv(),
  ) {
    this.session = new AgentSession(config, log, this.stopController.signal, (error) => this.stopForGood(error));
    this.api = new AgentApi(config, this.session, log);
    this.state = new AgentState(stateFileOf(config, configPath));
    this.configs = new ConfigurationCache(this.api);
    const keys = new VaultKeyCustody(this.api, config.rsaPrivateKey, log);
    const vault = new AgentVault(() => this.configs.vaultUrl(), this.session, config.vaultPassword, keys, config.rsaPrivateKey, log, {
      retry: this.api.outage,
      bandwidth: this.bandwidth,
      onRetry: (what, { status, error, attempt }) => log.warn({ what, status, err: (error as Error | undefined)?.message, attempt }, 'vault transfer failed; retrying'),
    });
    this.rt = {
      api: this.api,
      vault,
      configs: this.configs,
      log,
      clock,
      agentId: config.agentId,
      hostName: os.hostname(),
      logFile: logFileOf(config, configPath),
      scratch: new ScratchFolders(this.state, log),
    };
    this.queue = new WorkQueue(this.rt, this.state, log);
    this.tasks = new TaskRunner(this.rt, this.state, config.tasks, configPath);
    this.heartbeat = new Heartbeat(this.api, log);
    this.scheduler = new BackupScheduler(this.api, this.configs, clock, log, (id, configurationId, attempt) => this.acceptBackup(id, configurationId, { scheduled: true, attempt }));
  }

  async run(): Promise<void> {
    try {
      await this.work();
    } catch (error) {
      throw this.gone ?? error;
    }
    if (this.gone) throw this.gone;
  }

  private async work(): Promise<void> {
    const signal = this.stopController.signal;
    await this.state.load();
    await this.session.token();
    await this.api.post(this.api.agentUrl('events'), { event: 'startup' });
    const document = await this.configs.reload();
    this.log.level = pinoLevel(document.system_preferences?.logging?.level);
    this.applyJobControls(document);
    this.heartbeat.configure(document.system_preferences?.events?.rse?.heartbeat?.interval_ms);
    this.heartbeat.beat();
    this.log.info({ agent: this.config.agentId, configurations: document.configurations.length, marker: this.state.marker }, 'agent started');
    await recoverInterruptedWork(this.rt, this.state, this.tasks, this.log, (record) => this.requeue(record));
    await this.rt.scratch.removeAll();
    await this.scheduler.refresh();
    await pollEvents(this.api, this.state, this.log, signal, (event) => this.handle(event));
  }

  /** The server refused this agent's credentials (it was deleted): stop everything, say why once, send nothing. */
  private stopForGood(error: AgentGoneError): void {
    if (this.gone) return;
    this.gone = error;
    this.log.error({ agent: this.config.agentId }, error.message);
    this.stopController.abort(error);
    this.scheduler.stop();
    this.heartbeat.stop();
    this.queue.abortAll();
    this.tasks.cancelAll();
    this.session.close();
  }

  /** Stops polling, aborts running work (which reports itself), says `shutdown`. */
  async shutdown(): Promise<void> {
    if (this.stopController.signal.aborted) return;
    this.log.info('agent shutting down');
    this.stopController.abort();
    this.scheduler.stop();
    this.heartbeat.stop();
    this.queue.abortAll();
    this.tasks.cancelAll();
    await Promise.race([this.queue.whenIdle(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS))]);
    await this.api.post(this.api.agentUrl('events'), { event: 'shutdown' }, { retry: { attempts: 2, baseDelayMs: 200, maxDelayMs: 500 } }).catch(() => undefined);
    this.session.close();
  }

  private async handle(event: AgentEvent): Promise<void> {
    const body = event as Record<string, any>;
    this.log.debug({ event: event.event, id: event.id }, 'event');
    switch (event.event) {
      case 'backup_start_request':
        // `scheduled`: a scheduled backup the server admitted from its queue (its window applies).
        await this.acceptBackup(body.backup?.id, body.configuration?.id, { scheduled: body.backup?.scheduled === true });
        return;
      case 'restore_start_request': {
        const work = restoreWorkFromEvent(body);
        await this.queue.accept('restore', work.id, work, (signal) => this.withConfigurationLimits(work.configurationId, () => runRestoreJob(this.rt, work, signal)));
        return;
      }
      case 'cleanup_start_request':
        await this.queue.accept('cleanup', body.cleanup?.id, null, (signal) => runCleanupJob(this.rt, body.cleanup?.id, signal));
        return;
      case 'backup_stop_request':
      case 'restore_stop_request':
      case 'cleanup_stop_request': {
        const kind = event.event.replace('_stop_request', '') as JobKind;
        await this.queue.stop(kind, body[kind]?.id);
        return;
      }
      case 'configuration_changed': {
        await this.scheduler.refresh(true);
        const preferences = (await this.configs.get()).system_preferences;
        this.log.level = pinoLevel(preferences?.logging?.level);
        this.applyJobControls(await this.configs.get());
        return;
      }
      case 'agent_activate':
        this.heartbeat.activate((body.mode as ActivationMode) ?? 'active');
        return;
      case 'logfile_upload': {
        const work = logfileWorkFromEvent(body);
        if (work) this.background('logfile upload', runLogfileJob(this.rt, work));
        return;
      }
      case 'host_browse':
        this.background('host browse', runHostBrowse(this.rt, body));
        return;
      case 'backup_browse':
        this.background('backup browse', runBackupBrowse(this.rt, body));
        return;
      case 'vault_password_verify':
        this.background('vault password verification', runPasswordVerification(this.rt, this.config.rsaPrivateKey, body));
        return;
      case 'vault_encryption_enable':
      case 'vault_encryption_change':
        this.background('vault encryption', runVaultEncryption(this.rt, this.config.rsaPrivateKey, body, event.event === 'vault_encryption_change'));
        return;
      case 'task_start_request': {
        const work = taskWorkFromEvent(body);
        if (work) this.background('task', this.tasks.start(work));
        return;
      }
      case 'verification_start_request': {
        const work = verificationWorkFromEvent(body);
        if (work) this.background('verification', runVerificationJob(this.rt, work));
        return;
      }
      case 'task_cancel_request':
        if (typeof body.task?.guid === 'string') await this.tasks.cancel(body.task.guid);
        return;
      default:
        // Events about work reported by this agent itself (backup_in_progress, task_running, …) need nothing.
        return;
    }
  }

  /** Jobs at once and bandwidth limits from the configuration document; a running transfer follows a new limit at once. */
  private applyJobControls(document: ConfigurationDocument): void {
    const controls = document.system_preferences?.job_controls;
    this.queue.setLimit(controls?.max_running_jobs ?? 1);
    const upload = controls?.upload_bytes_per_second ?? null;
    const download = controls?.download_bytes_per_second ?? null;
    if (upload !== this.bandwidth.upload.rate || download !== this.bandwidth.download.rate) this.log.info({ upload, download }, 'bandwidth limits (bytes/s; null: none)');
    this.bandwidth.upload.setRate(upload);
    this.bandwidth.download.setRate(download);
    for (const changed of this.configurationBandwidths.apply(document)) this.log.info(changed, "configuration's bandwidth limits (bytes/s; null: none)");
  }

  /** Runs a job's work with its configuration's transfer limits (none for a job of no configuration). */
  private withConfigurationLimits(configurationId: string | null | undefined, work: () => Promise<void>, window: { gate?: TransferGate; signal?: AbortSignal } = {}): Promise<void> {
    if (!configurationId) return work();
    return runWithJobTransfers({ bandwidth: this.configurationBandwidths.of(configurationId), ...window }, work);
  }

  /**
   * `scheduled`: a backup of the schedule, which keeps to its configuration's backup window (a user's backup does
   * not); `attempt`: set for backups this agent's schedule started (a transient failure is tried again).
   */
  private async acceptBackup(id: string, configurationId: string, how: { scheduled: boolean; attempt?: number } = { scheduled: false }): Promise<void> {
    await this.queue.accept('backup', id, { configurationId, scheduled: how.scheduled }, async (signal) => {
      const gate = how.scheduled ? new TransferGate() : undefined;
      const guard = gate && new BackupWindowGuard(configurationId, this.configs, this.rt.clock, gate, (reason) => this.queue.stopRunning(id, reason), this.log);
      guard?.start();
      try {
        await this.withConfigurationLimits(configurationId, () => runBackupJob(this.rt, { id, configurationId }, signal), { gate, signal });
      } catch (err) {
        if (how.attempt !== undefined && !signal.aborted && isTransientFailure(err)) this.scheduler.retryAfterTransientFailure(configurationId, how.attempt);
        throw err;
      } finally {
        guard?.end();
      }
    });
  }

  private async requeue(record: WorkRecord): Promise<void> {
    const payload = record.payload as Record<string, any> | undefined;
    if (record.kind === 'backup') await this.acceptBackup(record.id, payload?.configurationId, { scheduled: payload?.scheduled === true });
    else if (record.kind === 'restore') {
      const work = payload as RestoreWork;
      await this.queue.accept('restore', record.id, work, (signal) => this.withConfigurationLimits(work.configurationId, () => runRestoreJob(this.rt, work, signal)));
    } else if (record.kind === 'cleanup') await this.queue.accept('cleanup', record.id, null, (signal) => runCleanupJob(this.rt, record.id, signal));
  }

  private background(what: string, work: Promise<void>): void {
    work.catch((err: unknown) => this.log.error({ err: (err as Error).message }, `${what} failed`));
  }
}
