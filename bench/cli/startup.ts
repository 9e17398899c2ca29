// Start-up time of the `coffer` command beside `node -e 0` on the same node: median wall time of several runs of
// each, run alternately so that the machine's other work hits all alike. Target: --help and --version within 3×.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'coffer.js');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);

function wallMs(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, COFFER_VAULT_PASSWORD: '' } });
  if (result.error) throw result.error;
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function runCliStartupBench(): void {
  const cases: Array<{ name: string; args: string[]; target?: number }> = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'coffer --version', args: [BIN, '--version'], target: 3 },
    { name: 'coffer --help', args: [BIN, '--help'], target: 3 },
    { name: 'coffer agents --help', args: [BIN, 'agents', '--help'] },
    { name: 'coffer vault --help', args: [BIN, 'vault', '--help'] },
  ];
  const times = cases.map(() => [] as number[]);
  for (let run = 0; run < RUNS; run++) cases.forEach((c, i) => times[i]!.push(wallMs(c.args)));
  const base = median(times[0]!);
  process.stdout.write(`\nCLI start-up, median of ${RUNS} runs on node ${process.version}:\n`);
  process.stdout.write('| command | ms | × node -e 0 |\n|---|---:|---:|\n');
  cases.forEach((c, i) => process.stdout.write(`| ${c.name} | ${median(times[i]!).toFixed(0)} | ${(median(times[i]!) / base).toFixed(2)} |\n`));
  process.stdout.write('Targets:\n');
  for (const [i, c] of cases.entries()) {
    if (!c.target) continue;
    const ratio = median(times[i]!) / base;
    process.stdout.write(`  ${c.name} within ${c.target}× node -e 0: ${ratio.toFixed(2)}× ${ratio <= c.target ? 'met' : 'NOT met'}\n`);
  }
}
