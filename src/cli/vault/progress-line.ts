import { formatBytes, formatDuration } from './vault-format.js';

export interface ProgressFigures {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  errors: number;
}

/** A single self-overwriting status line on a terminal: percent, files, bytes, rate and ETA. */
export class ProgressLine {
  private readonly started = Date.now();
  private readonly enabled: boolean;
  private drawn = false;

  constructor(private readonly label: string, enabled: boolean) {
    this.enabled = enabled && process.stderr.isTTY === true;
  }

  update(p: ProgressFigures): void {
    if (!this.enabled) return;
    const elapsed = Date.now() - this.started;
    const rate = elapsed > 0 ? (p.bytesDone / elapsed) * 1000 : 0;
    const pct = p.bytesTotal ? Math.min(100, (100 * p.bytesDone) / p.bytesTotal) : 0;
    const eta = rate > 0 && p.bytesTotal > p.bytesDone ? formatDuration(((p.bytesTotal - p.bytesDone) / rate) * 1000) : '-';
    const parts = [
      `[${formatDuration(elapsed)}]`,
      this.label,
      `${pct.toFixed(1)}%`,
      `${p.filesDone}/${p.filesTotal} files`,
      `${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}`,
      `${formatBytes(rate)}/s`,
      `ETA ${eta}`,
      ...(p.errors ? [`${p.errors} errors`] : []),
    ];
    const width = process.stderr.columns || 100;
    process.stderr.write(`\r${parts.join('  ').slice(0, width - 1)}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) process.stderr.write('\r\x1b[K');
  }
}
