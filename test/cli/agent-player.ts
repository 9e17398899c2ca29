import { gzipSync } from 'node:zlib';
import { registerAgent, type RegisteredAgent } from '../helpers/fixtures.js';
import type { TestServer } from '../helpers/test-server.js';

/** How the played agent runs a backup: sizes, steps, and how it ends. */
export interface BackupScript {
  totalBytes: number;
  files: number;
  steps: number;
  stepMs: number;
  end: 'completed' | 'completed_with_errors' | 'failed';
}

const DEFAULT_SCRIPT: BackupScript = { totalBytes: 40_000_000, files: 120, steps: 4, stepMs: 250, end: 'completed' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Plays a registered agent over the public HTTP API, the way the real agent does (docs/reference/rackspace-cloud-backup-v2.md §4.5): long-polls its
 * events and answers backup, restore, cleanup, log file and task requests with JSON Patch reports and progress events.
 */
export class AgentPlayer {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private snapshot = 1000;
  /** Jobs the user asked to stop (their `*_stop_request` arrived). */
  private readonly stopRequested = new Set<string>();
  /** The script for the next backups (tests change it between runs). */
  script: BackupScript = { ...DEFAULT_SCRIPT };
  readonly handled: string[] = [];

  private constructor(
    private readonly t: TestServer,
    readonly agent: RegisteredAgent,
    private readonly project: string,
  ) {}

  static async register(t: TestServer, userToken: string, project: string): Promise<AgentPlayer> {
    return new AgentPlayer(t, await registerAgent(t, userToken, project, {}, { tasks: true }), project);
  }

  get id(): string {
    return this.agent.id;
  }

  private async call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { 'x-auth-token': this.agent.token, 'x-agent-id': this.agent.id };
    let payload: string | Buffer | undefined;
    if (Buffer.isBuffer(body)) payload = body;
    else if (typeof body === 'string') payload = body;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = contentType;
    const response = await fetch(`${this.t.url}${path}`, { method, headers, body: payload, signal: this.abort.signal });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // text
    }
    if (response.status >= 400) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return { status: response.status, body: parsed };
  }

  private v2(...segments: string[]): string {
    return ['', 'v2', this.project, ...segments].join('/');
  }

  private patchJob(kind: string, id: string, values: Record<string, unknown>) {
    const operations = Object.entries(values).map(([key, value]) => ({ op: 'replace', path: `/${key}`, value }));
    return this.call('PATCH', this.v2(`${kind}s`, id), operations, 'application/json-patch+json');
  }

  private progress(kind: 'backup' | 'restore', id: string, done: number, total: number) {
    return this.call('POST', this.v2('agents', this.id, 'events'), { event: `${kind}_progress`, [kind]: { id }, bytes_completed: done, bytes_remaining: total - done, total_bytes: total });
  }

  /** Says `startup` and starts answering work until stop(). */
  async start(): Promise<void> {
    if (this.running) return;
    await this.call('POST', this.v2('agents', this.id, 'events'), { event: 'startup' });
    this.running = true;
    this.loop = this.listen();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop?.catch(() => undefined);
  }

  private async listen(): Promise<void> {
    let marker: string | undefined;
    while (this.running) {
      try {
        const query = new URLSearchParams({ sort_dir: 'asc', wait: '2', ...(marker ? { marker } : {}) });
        const { body } = await this.call('GET', `${this.v2('agents', this.id, 'events')}?${query}`);
        for (const event of body.events ?? []) {
          marker = event.id;
          // Each job runs on its own, as the real agent's workers do.
          void this.handle(event).catch((error) => {
            if (this.running) process.stderr.write(`agent player: ${(error as Error).message}\n`);
          });
        }
      } catch {
        if (!this.running) return;
        await sleep(200);
      }
    }
  }

  private async handle(event: any): Promise<void> {
    switch (event.event) {
      case 'backup_start_request':
        this.handled.push(event.event);
        return this.runBackup(event.backup.id);
      case 'restore_start_request':
        this.handled.push(event.event);
        return this.runRestore(event.restore.id);
      case 'cleanup_start_request':
        this.handled.push(event.event);
        return this.runCleanup(event.cleanup.id);
      case 'logfile_upload':
        this.handled.push(event.event);
        return this.uploadLog(event.request_id);
      case 'backup_stop_request':
      case 'restore_stop_request':
      case 'cleanup_stop_request': {
        const kind = event.event.replace('_stop_request', '');
        this.stopRequested.add(event[kind].id);
        return;
      }
      case 'task_start_request':
        this.handled.push(event.event);
        // A long command (`sleep …`) runs until it is cancelled.
        if (/^sleep\b/.test(event.task.command)) return this.startLongTask(event.task.guid);
        return this.runTask(event.task.guid, event.task.command);
      case 'task_cancel_request':
        this.handled.push(event.event);
        return this.cancelTask(event.task.guid);
    }
  }

  private async runBackup(id: string): Promise<void> {
    const script = this.script;
    const started = new Date().toISOString();
    await this.patchJob('backup', id, { state: 'queued' });
    await this.patchJob('backup', id, { state: 'in_progress', started_time: started });
    for (let step = 1; step <= script.steps; step++) {
      await sleep(script.stepMs);
      if (this.stopRequested.has(id)) {
        await this.patchJob('backup', id, { state: 'stopped', ended_time: new Date().toISOString() });
        return;
      }
      const done = Math.round((script.totalBytes * step) / script.steps);
      await this.progress('backup', id, done, script.totalBytes);
      await this.patchJob('backup', id, {
        files_searched: script.files,
        files_backed_up: Math.round((script.files * step) / script.steps),
        bytes_searched: script.totalBytes,
        bytes_backed_up: done,
      });
    }
    const errors =
      script.end === 'completed'
        ? undefined
        : {
            count: 1,
            reason: 'unable_to_process_some_files',
            diagnostics: 'Some files could not be backed up.',
            list: [{ index: 0, path: '/srv/www/locked.db', type: 'file_or_folder_missing', exception: null }],
          };
    await this.patchJob('backup', id, {
      state: script.end,
      ended_time: new Date().toISOString(),
      snapshot_id: script.end === 'failed' ? null : ++this.snapshot,
      bytes_in_db: Math.round(script.totalBytes / 3),
      bandwidth_avg_bps: 1_000_000,
      ...(errors ? { errors } : {}),
    });
  }

  private async runRestore(id: string): Promise<void> {
    const total = 10_000_000;
    await this.patchJob('restore', id, { state: 'queued' });
    await this.patchJob('restore', id, { state: 'in_progress', started_time: new Date().toISOString() });
    for (let step = 1; step <= 2; step++) {
      await sleep(200);
      await this.progress('restore', id, (total * step) / 2, total);
    }
    await this.patchJob('restore', id, { state: 'completed', ended_time: new Date().toISOString(), files_restored: 12, bytes_restored: total });
  }

  private async runCleanup(id: string): Promise<void> {
    await this.patchJob('cleanup', id, { state: 'in_progress', started_time: new Date().toISOString() });
    await sleep(100);
    await this.patchJob('cleanup', id, { state: 'completed', ended_time: new Date().toISOString(), snapshot_ids: [], bytes_before: 5_000_000, bytes_after: 4_000_000 });
  }

  private async uploadLog(logfileId: string): Promise<void> {
    const path = this.v2('agents', this.id, 'logfiles', logfileId);
    await this.call('PATCH', path, [{ op: 'replace', path: '/state', value: 'started' }], 'application/json-patch+json');
    await this.call('PUT', `${path}/content`, gzipSync(Buffer.from(`agent ${this.id} log\nall is well\n`)), 'application/gzip');
    await this.call('PATCH', path, [{ op: 'replace', path: '/state', value: 'completed' }], 'application/json-patch+json');
  }

  private async startLongTask(guid: string): Promise<void> {
    await this.call('PATCH', `/v3/tasks/${guid}`, [{ op: 'replace', path: '/state', value: 'RUNNING' }], 'application/json-patch+json');
  }

  private async cancelTask(guid: string): Promise<void> {
    await this.call(
      'PATCH',
      `/v3/tasks/${guid}`,
      [
        { op: 'replace', path: '/state', value: 'FAILED' },
        { op: 'replace', path: '/result/failure_reason', value: 'task was cancelled' },
      ],
      'application/json-patch+json',
    );
  }

  private async runTask(guid: string, command: string): Promise<void> {
    const path = `/v3/tasks/${guid}`;
    await this.call('PATCH', path, [{ op: 'replace', path: '/state', value: 'RUNNING' }], 'application/json-patch+json');
    await this.call('POST', `${path}/output`, `ran: ${command}\n`, 'text/plain');
    await this.call('PATCH', path, [{ op: 'replace', path: '/state', value: 'SUCCEEDED' }], 'application/json-patch+json');
  }
}
