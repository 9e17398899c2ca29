import type { Logger } from 'pino';
import type { AgentApi } from '../agent-api.js';

export interface ProgressNumbers {
  bytesCompleted: number;
  totalBytes: number;
}

/** Posts `<kind>_progress` events every second while a job runs (the contract asks for at least every 2 s). */
export class ProgressTicker {
  private timer: NodeJS.Timeout | undefined;
  private latest: ProgressNumbers = { bytesCompleted: 0, totalBytes: 0 };
  private sending = false;

  constructor(
    private readonly api: AgentApi,
    private readonly log: Logger,
    private readonly eventName: 'backup_progress' | 'restore_progress',
    private readonly refs: Record<string, unknown>,
    private readonly intervalMs = 1_000,
  ) {}

  update(numbers: ProgressNumbers): void {
    this.latest = numbers;
  }

  start(): void {
    this.send();
    this.timer = setInterval(() => this.send(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private send(): void {
    // A slow server must not pile up progress posts: skip a tick rather than queue it.
    if (this.sending) return;
    this.sending = true;
    const { bytesCompleted, totalBytes } = this.latest;
    const body = {
      event: this.eventName,
      ...this.refs,
      bytes_completed: bytesCompleted,
      bytes_remaining: Math.max(0, totalBytes - bytesCompleted),
      total_bytes: totalBytes,
    };
    this.api
      .post(this.api.agentUrl('events'), body, { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } })
      .catch((err: unknown) => this.log.debug({ err: (err as Error).message }, 'progress event not delivered'))
      .finally(() => {
        this.sending = false;
      });
  }
}
