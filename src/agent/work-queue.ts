import type { Logger } from 'pino';
import { ApiError } from '../net/api-error.js';
import type { AgentState } from './agent-state.js';
import { failureDocument, wireNow } from './jobs/job-errors.js';
import { workDoneOf } from './jobs/work-done.js';
import { isAbort, JobRefusal, JobStoppedByAgent, jobUrl, replace, report, type JobRuntime } from './jobs/job-runtime.js';
import { isOneOf, JOB_START_STATES, jobHasEnded, JobState, type JobKind } from '../domain/job-states.js';

interface QueuedJob {
  kind: JobKind;
  id: string;
  payload: unknown;
  run: (signal: AbortSignal) => Promise<void>;
  controller: AbortController;
}

/**
 * Backups, restores and cleanups the agent was handed, run up to `limit` at once (one unless the agent's
 * limits say more; see `setLimit`). A waiting restore goes before waiting backups and cleanups; a cleanup runs alone
 * (it needs the vault's exclusive lock). A job is taken once, however many times its start request arrives; it is
 * recorded in the state file while in hand, so a restart knows what was interrupted. A stop request aborts the
 * engine through its AbortSignal; the job then reports `stopped`.
 */
export class WorkQueue {
  private readonly queue: QueuedJob[] = [];
  private readonly running = new Map<string, QueuedJob>();
  private limit = 1;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly rt: JobRuntime,
    private readonly state: AgentState,
    private readonly log: Logger,
  ) {}

  get busy(): boolean {
    return this.running.size > 0 || this.queue.length > 0;
  }

  /** How many jobs may run at once (the agent's `max_running_jobs`); takes effect for the next job to start. */
  setLimit(limit: number): void {
    const next = Number.isSafeInteger(limit) && limit >= 1 ? limit : 1;
    if (next === this.limit) return;
    this.log.info({ maxRunningJobs: next }, 'jobs at once changed');
    this.limit = next;
    this.pump();
  }

  /**
   * Takes a job if the server still has it waiting to start, or it is one this agent already queued, or (a backup)
   * the server admitted it from its queue (`queued` with no `queue_position`).
   */
  async accept(kind: JobKind, id: string, payload: unknown, run: (signal: AbortSignal) => Promise<void>): Promise<boolean> {
    if (this.running.has(id) || this.queue.some((j) => j.id === id)) return false;
    const job = await this.rt.api.get<{ state: string; queue_position?: number | null }>(jobUrl(this.rt, kind, id), { accept: [404] });
    if (job.status === 404) return false;
    const resumable = job.body.state === JobState.queued && this.state.has(id);
    const admitted = kind === 'backup' && job.body.state === JobState.queued && job.body.queue_position === null;
    if (!isOneOf(JOB_START_STATES, job.body.state) && !resumable && !admitted) {
      this.log.debug({ kind, id, state: job.body.state }, 'job is not waiting to start; ignored');
      return false;
    }
    const entry: QueuedJob = { kind, id, payload, run, controller: new AbortController() };
    this.queue.push(entry);
    await this.state.track({ kind, id, phase: 'queued', payload });
    try {
      await this.report(entry, [replace('/state', JobState.queued)]);
    } catch (err) {
      this.queue.splice(this.queue.indexOf(entry), 1);
      await this.state.forget(id);
      throw err;
    }
    this.pump();
    return true;
  }

  /** A user asked a job to stop: abort it if it runs, end it at once if it only waits. */
  async stop(kind: JobKind, id: string): Promise<void> {
    const running = this.running.get(id);
    if (running) {
      this.log.info({ kind, id }, 'stop requested: aborting');
      running.controller.abort();
      return;
    }
    const waiting = this.queue.findIndex((j) => j.id === id);
    if (waiting >= 0) this.queue.splice(waiting, 1);
    const job = await this.rt.api.get<{ state: string }>(jobUrl(this.rt, kind, id), { accept: [404] });
    if (job.status === 404 || jobHasEnded(kind, job.body.state)) return;
    await report(this.rt, kind, id, [replace('/state', JobState.stopped), replace('/ended_time', wireNow())]).catch((err: unknown) => this.logReportFailure(kind, id, err));
    await this.state.forget(id);
    this.wakeIfIdle();
  }

  /** The agent itself ends a running job early (its backup window closed): it reports `stopped` with the reason. */
  stopRunning(id: string, reason: JobStoppedByAgent): void {
    const running = this.running.get(id);
    if (!running) return;
    this.log.info({ kind: running.kind, id, reason: reason.reason }, 'stopping the job');
    running.controller.abort(reason);
  }

  /** Aborts everything (agent shutdown). */
  abortAll(): void {
    this.queue.length = 0;
    for (const job of this.running.values()) job.controller.abort(new Error('agent shutting down'));
    this.wakeIfIdle();
  }

  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The job to start next, or undefined when none may start now. */
  private next(): QueuedJob | undefined {
    if (this.running.size >= this.limit || [...this.running.values()].some((j) => j.kind === 'cleanup')) return undefined;
    const candidate = this.queue.find((j) => j.kind === 'restore') ?? this.queue[0];
    if (candidate?.kind === 'cleanup' && this.running.size > 0) return undefined;
    return candidate;
  }

  private pump(): void {
    for (let job = this.next(); job; job = this.next()) {
      this.queue.splice(this.queue.indexOf(job), 1);
      this.running.set(job.id, job);
      void this.runTracked(job).finally(() => {
        this.running.delete(job.id);
        this.pump();
        this.wakeIfIdle();
      });
    }
  }

  private async runTracked(job: QueuedJob): Promise<void> {
    try {
      await this.state.track({ kind: job.kind, id: job.id, phase: 'running', payload: job.payload });
      const ended = await this.runOne(job);
      if (ended) await this.state.forget(job.id);
    } catch (err) {
      this.log.error({ kind: job.kind, id: job.id, err: (err as Error)?.message ?? String(err) }, 'job bookkeeping failed');
    }
  }

  private wakeIfIdle(): void {
    if (this.busy) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Runs a job and makes sure it ends in a terminal state; false when the final report could not be delivered. */
  private async runOne(job: QueuedJob): Promise<boolean> {
    const { kind, id } = job;
    this.log.info({ kind, id }, 'job started');
    try {
      await job.run(job.controller.signal);
      this.log.info({ kind, id }, 'job finished');
      return true;
    } catch (err) {
      try {
        await this.finishAfterError(job, err);
        return true;
      } catch (reportErr) {
        this.logReportFailure(kind, id, reportErr);
        return false;
      }
    }
  }

  private async finishAfterError(job: QueuedJob, err: unknown): Promise<void> {
    const { kind, id } = job;
    const ended = replace('/ended_time', wireNow());
    const done = workDoneOf(err);
    const stoppedBy = job.controller.signal.reason;
    if (stoppedBy instanceof JobStoppedByAgent) {
      this.log.info({ kind, id, reason: stoppedBy.reason }, 'job stopped by the agent');
      await report(this.rt, kind, id, [replace('/state', 'stopped'), ended, replace('/errors', failureDocument(stoppedBy.reason, stoppedBy.message)), ...done]);
      return;
    }
    if (job.controller.signal.aborted || isAbort(err)) {
      this.log.info({ kind, id }, 'job stopped');
      await report(this.rt, kind, id, [replace('/state', JobState.stopped), ended, ...done]);
      return;
    }
    if (err instanceof ApiError && err.status === 409) {
      // The server refused a step: usually a user's stop_requested arrived between two reports.
      const job409 = await this.rt.api.get<{ state: string }>(jobUrl(this.rt, kind, id));
      if (jobHasEnded(kind, job409.body.state)) return;
      await report(this.rt, kind, id, [replace('/state', job409.body.state === JobState.stop_requested ? JobState.stopped : JobState.failed), ended, ...done]);
      return;
    }
    if (err instanceof ApiError && err.status < 500) {
      this.log.error({ kind, id, err: err.message }, 'job report refused; giving up on this job');
      return;
    }
    this.log.error({ kind, id, err: (err as Error)?.stack ?? String(err) }, 'job failed');
    const errors = err instanceof JobRefusal ? failureDocument(err.reason, err.message) : failureDocument(`${kind}_failed`, (err as Error)?.message ?? String(err));
    await report(this.rt, kind, id, [replace('/state', JobState.failed), ended, replace('/errors', errors), ...done]);
  }

  private async report(job: QueuedJob, operations: ReturnType<typeof replace>[]): Promise<void> {
    await report(this.rt, job.kind, job.id, operations);
  }

  private logReportFailure(kind: JobKind, id: string, err: unknown): void {
    this.log.error({ kind, id, err: (err as Error)?.message ?? String(err) }, 'could not deliver the final report');
  }
}
