import { formatBytes } from '../../terminal/units.js';

/** The vault commands count bytes in binary units (KiB, MiB), as restic does. */
export const vaultBytes = (bytes: number): string => formatBytes(bytes, 'binary');

/** Columns padded to their widest cell, under a header and a rule. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
