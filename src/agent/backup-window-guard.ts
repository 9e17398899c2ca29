import type { Logger } from 'pino';
import { windowStateAt } from '../domain/backup-window/index.js';
import type { AgentClock } from './clock.js';
import type { ConfigurationCache } from './configuration-document.js';
import { JobStoppedByAgent } from './jobs/job-runtime.js';
import type { TransferGate } from './transfer-gate.js';

/** How often a running scheduled backup looks at its window (and so how late past the window's end it reacts). */
const LOOK_EVERY_MS = 500;

/**
 * Watches the backup window of one running scheduled backup, by the agent's clock and the latest configuration
 * document (a changed window applies at once): outside it, `pause` closes the backup's transfer gate until the
 * window opens again, `stop` stops the backup with the reason `outside_backup_window`.
 */
export class BackupWindowGuard {
  private timer: NodeJS.Timeout | undefined;
  private paused = false;

  constructor(
    private readonly configurationId: string,
    private readonly configs: ConfigurationCache,
    private readonly clock: AgentClock,
    private readonly gate: TransferGate,
    private readonly stop: (reason: JobStoppedByAgent) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    const look = () => {
      void this.look()
        .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'backup window check failed'))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(look, LOOK_EVERY_MS);
        });
    };
    this.timer = setTimeout(look, 0);
  }

  end(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.gate.open();
  }

  private async look(): Promise<void> {
    const window = (await this.configs.get()).configurations.find((c) => c.id === this.configurationId)?.backup_window;
    const now = this.clock.now();
    const state = window ? windowStateAt(window, window.time_zone, now) : { inside: true, changesAt: Number.POSITIVE_INFINITY };
    if (state.inside) {
      if (this.paused) this.log.info({ configuration: this.configurationId }, 'backup window open again: transfers resume');
      this.paused = false;
      this.gate.open();
      return;
    }
    const opens = Number.isFinite(state.changesAt) ? new Date(state.changesAt).toISOString() : null;
    const span = `${window!.start}-${window!.end} ${window!.time_zone}`;
    if (window!.outside === 'stop') {
      this.end();
      this.stop(
        new JobStoppedByAgent(
          'outside_backup_window',
          `The backup window (${span}) closed; the configuration asks to stop a backup still running then (outside: stop). Nothing was saved as a snapshot.`,
        ),
      );
      return;
    }
    if (!this.paused) this.log.info({ configuration: this.configurationId, window: span, opens }, 'outside the backup window: transfers paused until it opens');
    this.paused = true;
    this.gate.close();
  }
}
