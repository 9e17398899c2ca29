import type { Logger } from 'pino';
import type { JobKind } from '../../domain/job-states.js';
import type { AgentApi } from '../agent-api.js';
import type { AgentVault } from '../agent-vault.js';
import type { AgentClock } from '../clock.js';
import type { ConfigurationCache } from '../configuration-document.js';
import type { ScratchFolders } from '../drill-scratch.js';

/** What every job runner needs. */
export interface JobRuntime {
  api: AgentApi;
  vault: AgentVault;
  configs: ConfigurationCache;
  log: Logger;
  clock: AgentClock;
  agentId: string;
  /** Host name recorded in snapshots. */
  hostName: string;
  /** Where the agent's own log is written (log file uploads). */
  logFile: string;
  /** Scratch folders of restore drills. */
  scratch: ScratchFolders;
}

export type PatchOperation = { op: 'replace' | 'add'; path: string; value: unknown };

export function jobUrl(rt: JobRuntime, kind: JobKind, id: string): string {
  return rt.api.v2(`${kind}s`, id);
}

export function report(rt: JobRuntime, kind: JobKind, id: string, operations: PatchOperation[]): Promise<void> {
  rt.log.info({ kind, id, report: Object.fromEntries(operations.map((o) => [o.path, o.path === '/errors' ? (o.value as { count: number }).count : o.value])) }, 'report');
  return rt.api.patch(jobUrl(rt, kind, id), operations);
}

export const replace = (path: string, value: unknown): PatchOperation => ({ op: 'replace', path, value });

export function isAbort(err: unknown): boolean {
  return (err as { code?: string })?.code === 'ABORTED' || (err as Error)?.name === 'AbortError';
}

/** A job the agent cannot run as asked (missing configuration, nothing to do): reported as failed with why. */
export class JobRefusal extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'JobRefusal';
  }
}

/** A job the agent itself stopped before its end (its backup window closed): reported as stopped, with why. */
export class JobStoppedByAgent extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'JobStoppedByAgent';
  }
}
