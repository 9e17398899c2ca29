import type { Logger } from 'pino';
import type { AgentApi } from './agent-api.js';

export type ActivationMode = 'idle' | 'active' | 'real_time';

/** The server asks idle agents for a heartbeat every 5 minutes at least; this agent sends one a minute so `online` never lapses. */
const IDLE_INTERVAL_CAP_MS = 60_000;
/** An `agent_activate` lasts this long; then the agent falls back to idle. */
const ACTIVATION_MS = 10 * 60_000;

/** Sends `agent_heartbeat` events at the rate of the current activation mode. */
export class Heartbeat {
  private mode: ActivationMode = 'idle';
  private timer: NodeJS.Timeout | undefined;
  private fallback: NodeJS.Timeout | undefined;
  private intervals: Record<string, number> = { idle: 300_000, active: 1_000, real_time: 1_000 };

  constructor(
    private readonly api: AgentApi,
    private readonly log: Logger,
  ) {}

  configure(intervals: Record<string, number> | undefined): void {
    if (intervals) this.intervals = { ...this.intervals, ...intervals };
    this.schedule();
  }

  activate(mode: ActivationMode): void {
    this.mode = mode;
    clearTimeout(this.fallback);
    if (mode !== 'idle') {
      this.fallback = setTimeout(() => this.activate('idle'), ACTIVATION_MS);
      this.fallback.unref();
    }
    this.beat();
    this.schedule();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.fallback);
  }

  private schedule(): void {
    clearInterval(this.timer);
    const configured = this.intervals[this.mode] ?? 60_000;
    const interval = Math.max(1_000, this.mode === 'idle' ? Math.min(configured, IDLE_INTERVAL_CAP_MS) : configured);
    this.timer = setInterval(() => this.beat(), interval);
  }

  beat(): void {
    this.api
      .post(this.api.agentUrl('events'), { event: 'agent_heartbeat' }, { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } })
      .catch((err: unknown) => this.log.debug({ err: (err as Error).message }, 'heartbeat not delivered'));
  }
}
