/** One sample of the Prometheus text exposition format. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;

/** Parses the samples of a /metrics page (comments skipped; label values unescaped). */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) throw new Error(`not a sample line: ${line}`);
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      let position = 1;
      for (;;) {
        LABEL.lastIndex = position;
        const match = LABEL.exec(rest);
        if (!match) break;
        labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
        position = LABEL.lastIndex;
      }
      if (rest[position] !== '}') throw new Error(`bad labels: ${line}`);
      rest = rest.slice(position + 1);
    }
    const value = Number(rest.trim().split(/\s+/)[0]);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The samples of `name` whose labels include every label in `match`. */
export function samplesOf(samples: PromSample[], name: string, match: Record<string, string> = {}): PromSample[] {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The one sample of `name` matching `match`; throws when there is not exactly one. */
export function sampleValue(samples: PromSample[], name: string, match: Record<string, string> = {}): number {
  const found = samplesOf(samples, name, match);
  if (found.length !== 1) throw new Error(`expected one ${name} ${JSON.stringify(match)}, found ${found.length}`);
  return found[0]!.value;
}
