import { LiveLine } from '../../terminal/live-line.js';
import { ProgressMeter } from '../../terminal/progress-meter.js';
import { formatDuration } from '../../terminal/units.js';

export interface ProgressFigures {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  errors: number;
}

/**
 * The progress of a `coffer vault` backup or restore on the terminal (stderr): the operation and its time so far,
 * then the bar `coffer backup --watch` draws, then the errors. Nothing is drawn when stderr is not a terminal.
 */
export class ProgressLine {
  private readonly started = Date.now();
  private readonly meter = new ProgressMeter('binary');
  private readonly screen: LiveLine;

  constructor(
    private readonly label: string,
    private readonly enabled: boolean,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.screen = new LiveLine(stream, 'silent');
    this.meter.add({ at: this.started, bytesDone: 0, bytesTotal: undefined, filesDone: undefined, filesTotal: undefined });
  }

  update(p: ProgressFigures): void {
    if (!this.enabled || !this.screen.live) return;
    const now = Date.now();
    this.meter.add({ at: now, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal > 0 ? p.bytesTotal : undefined, filesDone: p.filesDone, filesTotal: p.filesTotal });
    const bar = this.meter.render();
    if (!bar) return;
    this.screen.draw(`${this.label} ${formatDuration(now - this.started)}  ${bar}${p.errors ? `  ${p.errors} errors` : ''}`);
  }

  done(): void {
    this.screen.clear();
  }
}
