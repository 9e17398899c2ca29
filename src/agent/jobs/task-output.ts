import type { Logger } from 'pino';
import type { AgentApi } from '../agent-api.js';

/** Output kept in memory while waiting to be sent; the server keeps the last 1 MiB, so older text may go. */
const MAX_PENDING_BYTES = 1024 * 1024;
const FLUSH_INTERVAL_MS = 500;

/**
 * The command's output on its way to `POST /v3/tasks/{guid}/output`: limited to the task's log rate (bytes per
 * second; -1 is unlimited) as Cloud Foundry does, with a note for what was dropped, and sent in order every half
 * second.
 */
export class TaskOutput {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private allowance: number;
  private windowStart = Date.now();
  private dropped = 0;
  private timer: NodeJS.Timeout;
  private sending: Promise<void> = Promise.resolve();
  /** Everything the command wrote, for the agent's own log when it is short. */
  totalBytes = 0;

  constructor(
    private readonly api: AgentApi,
    private readonly log: Logger,
    private readonly guid: string,
    private readonly bytesPerSecond: number,
  ) {
    this.allowance = bytesPerSecond;
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  write(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    if (this.bytesPerSecond >= 0) {
      this.refill();
      if (chunk.length > this.allowance) {
        const kept = Math.max(0, this.allowance);
        this.dropped += chunk.length - kept;
        chunk = chunk.subarray(0, kept);
      }
      this.allowance -= chunk.length;
    }
    if (chunk.length > 0) this.push(chunk);
  }

  note(text: string): void {
    this.push(Buffer.from(`${text}\n`));
  }

  /** Sends what is left and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.refill(true);
    await this.flush();
    await this.sending;
  }

  private refill(final = false): void {
    const now = Date.now();
    if (!final && now - this.windowStart < 1000) return;
    if (this.dropped > 0) {
      this.push(Buffer.from(`\n[coffer] log rate limit of ${this.bytesPerSecond} bytes/s exceeded: ${this.dropped} bytes dropped\n`));
      this.dropped = 0;
    }
    this.windowStart = now;
    this.allowance = this.bytesPerSecond;
  }

  private push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes > MAX_PENDING_BYTES && this.pending.length > 1) this.pendingBytes -= this.pending.shift()!.length;
  }

  private flush(): Promise<void> {
    if (this.pendingBytes === 0) return this.sending;
    const body = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.sending = this.sending.then(() =>
      this.api
        .call('POST', this.api.v3('tasks', this.guid, 'output'), { raw: body, contentType: 'text/plain; charset=utf-8' })
        .then(() => undefined)
        .catch((err: unknown) => this.log.warn({ task: this.guid, err: (err as Error).message }, 'task output not delivered')),
    );
    return this.sending;
  }
}
