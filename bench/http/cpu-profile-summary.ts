import fs from 'node:fs';

/** The parts of V8's `.cpuprofile` (what `node --cpu-prof` writes) that self time needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: SelfTime[];
  byFile: SelfTime[];
}

/** Shortens a script URL to what identifies it: `src/…`, `node_modules/<package>/…`, or `node:…`. */
function fileOf(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules);
  const src = url.indexOf('/dist/src/');
  if (src >= 0) return url.slice(src + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

function ranked(totals: Map<string, number>, totalMs: number): SelfTime[] {
  return [...totals.entries()].map(([name, ms]) => ({ name, ms, share: ms / totalMs })).sort((a, b) => b.ms - a.ms);
}

/**
 * Self time (time a function was on top of the stack) summed by function and by file. With `lastSeconds`, only the
 * samples of the profile's last seconds count (the load window, not the start-up and the set-up before it).
 */
export function summariseCpuProfile(file: string, lastSeconds?: number): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  // Sample times: the deltas run forward from startTime; the window is counted back from the last sample.
  const times: number[] = [];
  let at = 0;
  for (const delta of profile.timeDeltas) times.push((at += delta));
  const from = lastSeconds === undefined ? -Infinity : at - lastSeconds * 1e6;
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (times[i]! < from) continue;
    const frame = frames.get(profile.samples[i]!)!;
    const us = profile.timeDeltas[i] ?? 0;
    totalUs += us;
    const where = fileOf(frame.url);
    const fn = `${frame.functionName || '(anonymous)'} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us / 1000);
    // Everything of one npm package counts as one entry.
    const group = where.startsWith('node_modules/')
      ? where
          .split('/')
          .slice(0, where.split('/')[1]!.startsWith('@') ? 3 : 2)
          .join('/')
      : where;
    byFile.set(group, (byFile.get(group) ?? 0) + us / 1000);
  }
  const totalMs = totalUs / 1000;
  return { totalMs, byFunction: ranked(byFunction, totalMs), byFile: ranked(byFile, totalMs) };
}

export function printProfileSummary(summary: ProfileSummary, top = 25): void {
  const lines = (rows: SelfTime[]) => rows.slice(0, top).map((r) => `${(100 * r.share).toFixed(1).padStart(6)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
  process.stdout.write(`\nself time, ${(summary.totalMs / 1000).toFixed(1)} s of samples\n\nby file or package:\n${lines(summary.byFile).join('\n')}\n`);
  process.stdout.write(`\nby function:\n${lines(summary.byFunction).join('\n')}\n`);
}

// `node --import tsx bench/http/cpu-profile-summary.ts FILE.cpuprofile [top] [last seconds]`
if (import.meta.url === `file://${process.argv[1]}`) {
  printProfileSummary(summariseCpuProfile(process.argv[2]!, process.argv[4] ? Number(process.argv[4]) : undefined), Number(process.argv[3] ?? 25));
}
