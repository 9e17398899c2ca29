import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AgentState } from '../agent-state.js';
import { ApiError } from '../../net/api-error.js';
import type { JobRuntime } from './job-runtime.js';
import { TaskOutput } from './task-output.js';
import { decideTask, type TaskSettings } from './task-policy.js';
import { killGroup, resolveTaskAccount, startTaskProcess, type RunAs } from './task-process.js';
import { type TaskEndState, type TaskReportableState, TaskState } from '../../domain/job-states.js';

export interface TaskWork {
  guid: string;
  name: string;
  command: string;
  user: string | null;
  memoryMb: number;
  diskMb: number;
  logRate: number;
  dropletGuid: string | null;
  /** A restore drill's check: runs in the scratch folder the drill's restore filled, until the drill's deadline. */
  drill: { runId: string; restoreId: string; deadline: number } | null;
}

export function taskWorkFromEvent(event: Record<string, any>): TaskWork | undefined {
  const task = event.task;
  if (!task || typeof task.guid !== 'string' || typeof task.command !== 'string') return undefined;
  const int = (value: unknown, fallback: number) => (Number.isSafeInteger(value) ? (value as number) : fallback);
  return {
    guid: task.guid,
    name: String(task.name ?? task.guid),
    command: task.command,
    user: typeof task.user === 'string' && task.user !== '' ? task.user : null,
    memoryMb: int(task.memory_in_mb, 1024),
    diskMb: int(task.disk_in_mb, 1024),
    logRate: int(task.log_rate_limit_in_bytes_per_second, 1_048_576),
    dropletGuid: typeof task.droplet_guid === 'string' && task.droplet_guid !== '' ? task.droplet_guid : null,
    drill: drillOfEvent(event.drill_run),
  };
}

function drillOfEvent(value: unknown): TaskWork['drill'] {
  const run = value as { id?: unknown; restore_id?: unknown; deadline?: unknown } | null | undefined;
  if (!run || typeof run.id !== 'string' || typeof run.restore_id !== 'string') return null;
  const deadline = typeof run.deadline === 'string' ? Date.parse(run.deadline) : NaN;
  return { runId: run.id, restoreId: run.restore_id, deadline: Number.isFinite(deadline) ? deadline : Number.POSITIVE_INFINITY };
}

const DISK_CHECK_MS = 2_000;
export const CANCELLED_REASON = 'task was cancelled';
export const DRILL_DEADLINE_REASON = "the check did not finish before the drill's timeout";

interface RunningTask {
  cancel(): void;
}

/**
 * Runs v3 tasks (several at once): RUNNING once the command starts, then SUCCEEDED or FAILED with a
 * `failure_reason`; the output goes to the server as it comes. Cancel kills the command's process group.
 */
export class TaskRunner {
  private readonly running = new Map<string, RunningTask>();
  private readonly overDeadline = new WeakSet<ChildProcess>();

  constructor(
    private readonly rt: JobRuntime,
    private readonly state: AgentState,
    private readonly settings: TaskSettings | undefined,
    private readonly configPath: string,
  ) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  async start(work: TaskWork): Promise<void> {
    if (this.running.has(work.guid)) return;
    const task = await this.rt.api.get<{ state: string }>(this.rt.api.v3('tasks', work.guid), { accept: [404] });
    if (task.status === 404) return;
    if (task.body.state === TaskState.CANCELING) {
      await this.dropDrillScratch(work);
      return this.report(work.guid, TaskState.FAILED, CANCELLED_REASON);
    }
    if (task.body.state !== TaskState.PENDING) return;
    const decision = decideTask(this.settings, work, this.configPath);
    if (!decision.allowed) {
      this.rt.log.warn({ task: work.guid, reason: decision.reason }, 'task refused');
      await this.dropDrillScratch(work);
      return this.report(work.guid, TaskState.FAILED, `refused by the agent: ${decision.reason}`);
    }
    let cancelled = false;
    let child: ChildProcess | undefined;
    this.running.set(work.guid, {
      cancel: () => {
        cancelled = true;
        if (child) killGroup(child);
      },
    });
    await this.state.track({ kind: 'task', id: work.guid, phase: 'running' });
    const output = new TaskOutput(this.rt.api, this.rt.log, work.guid, work.logRate);
    // Outside the agent's own directory, which the task's account cannot (and must not) enter.
    let scratch: string | undefined;
    try {
      const runAs = resolveTaskAccount(decision.user);
      if (work.drill) {
        // The drill's restore already put the droplet there; the folder is the one this agent recorded for it.
        scratch = this.rt.scratch.folderOf(work.drill.restoreId);
        if (scratch === undefined) throw new Error(`this agent holds no scratch folder of the drill's restore ${work.drill.restoreId}`);
        output.note(`[coffer] drill check in ${scratch}`);
      } else {
        scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'coffer-task-'));
        if (work.dropletGuid) await this.restoreDroplet(work.dropletGuid, scratch, output);
      }
      await chownTree(scratch, runAs);
      // A drill's restored files are not the check's own writes: the disk limit counts what the check adds.
      const baselineBytes = work.drill ? await directorySize(scratch) : 0;
      if (cancelled) return await this.finish(work, output, TaskState.FAILED, CANCELLED_REASON);
      child = startTaskProcess(work.command, scratch, { memoryMb: work.memoryMb, diskMb: work.diskMb }, runAs, { COFFER_TASK_GUID: work.guid, COFFER_TASK_NAME: work.name }, decision.user);
      // Listen before anything is awaited: a short command may be done before the RUNNING report returns.
      const ended = this.watch(child, work, scratch, baselineBytes, output, () => cancelled);
      const deadline = work.drill ? this.killAtDeadline(child, work.drill.deadline) : undefined;
      ended.finally(() => clearTimeout(deadline)).catch(() => undefined);
      this.rt.log.info({ task: work.guid, pid: child.pid }, 'task started');
      await this.report(work.guid, TaskState.RUNNING);
      const outcome = await ended;
      await this.finish(work, output, outcome.state, outcome.reason);
    } catch (err) {
      this.rt.log.error({ task: work.guid, err: (err as Error).message }, 'task could not run');
      if (child) killGroup(child);
      await this.finish(work, output, TaskState.FAILED, cancelled ? CANCELLED_REASON : (err as Error).message).catch((reportErr: unknown) =>
        this.rt.log.error({ task: work.guid, err: (reportErr as Error).message }, 'task report not delivered'),
      );
    } finally {
      this.running.delete(work.guid);
      if (work.drill) await this.dropDrillScratch(work);
      else if (scratch) await fs.rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async cancel(guid: string): Promise<void> {
    const task = this.running.get(guid);
    if (task) {
      this.rt.log.info({ task: guid }, 'task cancel requested');
      task.cancel();
      return;
    }
    // Not running here (finished, or lost in a restart): end it so it does not stay CANCELING.
    const current = await this.rt.api.get<{ state: string }>(this.rt.api.v3('tasks', guid), { accept: [404] });
    if (current.status !== 404 && current.body.state === TaskState.CANCELING) await this.report(guid, TaskState.FAILED, CANCELLED_REASON);
  }

  cancelAll(): void {
    for (const task of this.running.values()) task.cancel();
  }

  /** A drill's check that is not run (refused, cancelled) or has ended: its scratch folder goes. */
  private async dropDrillScratch(work: TaskWork): Promise<void> {
    if (work.drill) await this.rt.scratch.remove(work.drill.restoreId);
  }

  /** The drill's timeout: the check's process group is killed when it comes, and the task fails saying so. */
  private killAtDeadline(child: ChildProcess, deadline: number): NodeJS.Timeout | undefined {
    if (!Number.isFinite(deadline)) return undefined;
    const timer = setTimeout(
      () => {
        this.overDeadline.add(child);
        killGroup(child);
      },
      Math.max(0, deadline - Date.now()),
    );
    timer.unref();
    return timer;
  }

  private async restoreDroplet(backupId: string, scratch: string, output: TaskOutput): Promise<void> {
    const backup = await this.rt.api.get<{ snapshot_id: number | null }>(this.rt.api.v2('backups', backupId));
    if (backup.body.snapshot_id === null) throw new Error(`backup ${backupId} has no snapshot to restore`);
    const vault = await this.rt.vault.open();
    const summary = await vault.restore({ snapshot: backup.body.snapshot_id, target: scratch, overwrite: true });
    output.note(`[coffer] restored backup ${backupId} (${summary.filesRestored} files, ${summary.bytesRestored} bytes) into ${scratch}`);
    const [example] = summary.errors;
    if (example) throw new Error(`restoring backup ${backupId} failed for ${summary.errors.length} files, e.g. ${example.path}: ${example.reason}`);
  }

  private watch(child: ChildProcess, work: TaskWork, scratch: string, baselineBytes: number, output: TaskOutput, cancelled: () => boolean): Promise<{ state: TaskEndState; reason?: string }> {
    return new Promise((resolve) => {
      let overDisk = false;
      child.stdout?.on('data', (chunk: Buffer) => output.write(chunk));
      child.stderr?.on('data', (chunk: Buffer) => output.write(chunk));
      const diskTimer = setInterval(() => {
        directorySize(scratch).then(
          (bytes) => {
            if (bytes - baselineBytes > work.diskMb * 1024 * 1024 && !overDisk) {
              overDisk = true;
              killGroup(child);
            }
          },
          () => undefined,
        );
      }, DISK_CHECK_MS);
      child.on('error', (err) => {
        clearInterval(diskTimer);
        resolve({ state: TaskState.FAILED, reason: `could not start the command: ${err.message}` });
      });
      child.on('close', (code, signal) => {
        clearInterval(diskTimer);
        if (cancelled()) return resolve({ state: TaskState.FAILED, reason: CANCELLED_REASON });
        if (overDisk) return resolve({ state: TaskState.FAILED, reason: `disk limit of ${work.diskMb} MB exceeded` });
        if (this.overDeadline.has(child)) return resolve({ state: TaskState.FAILED, reason: DRILL_DEADLINE_REASON });
        if (code === 0) return resolve({ state: TaskState.SUCCEEDED });
        if (code === 125) return resolve({ state: TaskState.FAILED, reason: 'the memory or disk limit could not be applied' });
        resolve({ state: TaskState.FAILED, reason: signal ? `Killed by signal ${signal}` : `Exited with status ${code}` });
      });
    });
  }

  /** A drill's scratch folder goes before the end is reported: once the run is over, nothing of it is left. */
  private async finish(work: TaskWork, output: TaskOutput, state: TaskEndState, reason?: string): Promise<void> {
    const guid = work.guid;
    await this.dropDrillScratch(work);
    await output.close();
    await this.report(guid, state, reason);
    await this.state.forget(guid);
    this.rt.log.info({ task: guid, state, reason }, 'task ended');
  }

  async report(guid: string, state: TaskReportableState, reason?: string): Promise<void> {
    const operations: { op: 'replace'; path: string; value: unknown }[] = [{ op: 'replace', path: '/state', value: state }];
    if (reason !== undefined) operations.push({ op: 'replace', path: '/result/failure_reason', value: reason });
    try {
      await this.rt.api.patch(this.rt.api.v3('tasks', guid), operations);
    } catch (err) {
      // 422: the task moved on (cancelled while we reported RUNNING, or already ended); nothing to repeat.
      if (err instanceof ApiError && err.status === 422) {
        this.rt.log.warn({ task: guid, state, err: err.message }, 'task report refused');
        return;
      }
      throw err;
    }
  }
}

/** Hands the scratch directory and what was restored into it to the task's account (links themselves, never their targets). */
async function chownTree(dir: string, runAs: RunAs): Promise<void> {
  await fs.lchown(dir, runAs.uid, runAs.gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, runAs);
    else await fs.lchown(full, runAs.uid, runAs.gid);
  }
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (entry.isFile()) total += (await fs.stat(full).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
