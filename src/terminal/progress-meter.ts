import { formatBytes, formatDuration, type ByteUnits } from './units.js';

/** What a progress report says at one moment. */
export interface ProgressSample {
  /** Milliseconds since the epoch. */
  at: number;
  bytesDone: number;
  bytesTotal: number | undefined;
  filesDone: number | undefined;
  filesTotal: number | undefined;
}

/** Rate and ETA over the last samples (a sliding window keeps the rate current). */
export class ProgressMeter {
  private readonly samples: ProgressSample[] = [];

  constructor(private readonly units: ByteUnits = 'decimal') {}

  add(sample: ProgressSample): void {
    this.samples.push(sample);
    while (this.samples.length > 2) {
      const oldest = this.samples[0];
      if (oldest === undefined || sample.at - oldest.at <= 15_000) break;
      this.samples.shift();
    }
  }

  get latest(): ProgressSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** Bytes per second, or undefined before two samples. */
  rate(): number | undefined {
    const first = this.samples[0];
    const last = this.latest;
    if (this.samples.length < 2 || first === undefined || last === undefined) return undefined;
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? Math.max(0, (last.bytesDone - first.bytesDone) / seconds) : undefined;
  }

  etaMs(): number | undefined {
    const last = this.latest;
    const rate = this.rate();
    if (!last || last.bytesTotal === undefined || !rate) return undefined;
    return ((last.bytesTotal - last.bytesDone) / rate) * 1000;
  }

  /** What the bar counts (bytes and files), without the rate: a line that only changes its rate is not news. */
  countsKey(files?: { done: number; total?: number }): string {
    const last = this.latest;
    if (!last) return '';
    return [last.bytesDone, last.bytesTotal, last.filesDone ?? files?.done, last.filesTotal ?? files?.total].join('/');
  }

  /**
   * `[#########-----------]  45%  450 MB / 1.0 GB  12.0 MB/s  ETA 45s  files 120/300`; empty while nothing is known
   * yet (the agent's first report, before its scan found anything, would only say `0 B`).
   */
  render(files?: { done: number; total?: number }, barWidth = 20): string {
    const last = this.latest;
    if (!last) return '';
    const filesDone = last.filesDone ?? files?.done;
    const filesTotal = last.filesDone !== undefined ? last.filesTotal : files?.total;
    if (last.bytesDone === 0 && !last.bytesTotal && !filesDone && !filesTotal) return '';
    const parts: string[] = [];
    if (last.bytesTotal !== undefined && last.bytesTotal > 0) {
      const fraction = Math.min(1, last.bytesDone / last.bytesTotal);
      const filled = Math.floor(fraction * barWidth);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`);
      parts.push(`${formatBytes(last.bytesDone, this.units)} / ${formatBytes(last.bytesTotal, this.units)}`);
    } else {
      parts.push(formatBytes(last.bytesDone, this.units));
    }
    const rate = this.rate();
    if (rate !== undefined) parts.push(`${formatBytes(rate, this.units)}/s`);
    const eta = this.etaMs();
    if (eta !== undefined && Number.isFinite(eta)) parts.push(`ETA ${formatDuration(eta)}`);
    if (filesDone !== undefined && (filesDone > 0 || (filesTotal ?? 0) > 0)) parts.push(`files ${filesDone}${filesTotal ? `/${filesTotal}` : ''}`);
    return parts.join('  ');
  }
}
