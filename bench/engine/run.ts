/**
 * `npm run bench:engine`: times Coffer, restic and borg on the same deterministic ~1 GiB tree: first backup,
 * backup with nothing changed, backup after changing 5 % of the files, and a full restore. Prints wall time,
 * CPU time, peak RSS and vault size for each, and Coffer's ratio to each peer. Runs in bench/.work/ (kept
 * between runs so the tree is generated once; delete it to start over). The page cache is warm for everyone.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableCores } from './cpu-probe.js';
import { directoryBytes, type Measurement } from './measure.js';
import { borg, coffer, ensureInstalled, restic, type BackupTool } from './tools.js';
import { changeFivePercent, fileContent, planTree, writeTree } from './tree-generator.js';

const WORK = fileURLToPath(new URL('../.work/engine/', import.meta.url));
const TREE = path.join(WORK, 'tree');
const PHASES = ['first backup', 'no-change backup', '5% changed backup', 'full restore'] as const;
type Phase = (typeof PHASES)[number];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** BENCH_TOOLS=coffer,restic leaves borg out (coffer always runs). */
const TOOLS = (process.env.BENCH_TOOLS ?? 'coffer,restic,borg').split(',');

interface ToolResult {
  tool: BackupTool;
  phases: Partial<Record<Phase, Measurement & { vaultBytes: number }>>;
}

async function prepareTree(): Promise<void> {
  const files = planTree();
  const marker = path.join(WORK, 'tree.ok');
  const ok = await fs.readFile(marker, 'utf8').catch(() => '');
  if (ok === String(files.length)) return;
  await fs.rm(TREE, { recursive: true, force: true });
  process.stderr.write(`generating ${files.length} files…\n`);
  await writeTree(TREE, files);
  await fs.writeFile(marker, String(files.length));
}

async function restoreOriginals(): Promise<void> {
  // Undo the 5 % change of an earlier run (same files, original content).
  const files = planTree();
  const changedList = path.join(WORK, 'changed.json');
  const changed = JSON.parse(await fs.readFile(changedList, 'utf8').catch(() => '[]')) as string[];
  for (const rel of changed) {
    const file = files.find((f) => f.rel === rel)!;
    await fs.writeFile(path.join(TREE, rel), fileContent(file, files));
  }
  await fs.rm(changedList, { force: true });
}

async function main(): Promise<void> {
  await fs.mkdir(WORK, { recursive: true });
  await prepareTree();
  await restoreOriginals();
  const treeBytes = await directoryBytes(TREE);
  const fileCount = planTree().length;
  process.stderr.write(`tree: ${fileCount} files, ${(treeBytes / 2 ** 30).toFixed(2)} GiB at ${TREE}\n`);

  const coresBefore = await availableCores();
  const tools: ToolResult[] = [];
  for (const tool of [coffer, restic, borg].filter((t) => t === coffer || TOOLS.includes(t.name))) {
    if (await ensureInstalled(tool)) tools.push({ tool, phases: {} });
    else process.stderr.write(`skipping ${tool.name}: not installed and could not be installed\n`);
  }
  const repoOf = (t: BackupTool) => path.join(WORK, `repo-${t.name.split(' ')[0]}`);
  const record = async (r: ToolResult, phase: Phase, m: Measurement) => {
    const earlier = r.phases[phase];
    if (!earlier || m.wallS < earlier.wallS) r.phases[phase] = { ...m, vaultBytes: await directoryBytes(repoOf(r.tool)) };
    process.stderr.write(`${r.tool.name.padEnd(11)} ${phase.padEnd(18)} ${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s CPU, ${m.peakRssMiB.toFixed(0)} MiB RSS\n`);
  };

  // Other work on the machine skews single runs: the first backup and the restore run ROUNDS times, tools
  // taking turns, and the fastest run of each tool counts.
  for (let round = 1; round <= ROUNDS; round++) {
    for (const r of tools) {
      const repo = repoOf(r.tool);
      for (const p of [repo, `${repo}-cache`, `${repo}-home`]) await fs.rm(p, { recursive: true, force: true });
      await r.tool.init(repo);
      await record(r, 'first backup', await r.tool.backup(repo, TREE, 1));
    }
  }
  for (const r of tools) await record(r, 'no-change backup', await r.tool.backup(repoOf(r.tool), TREE, 2));
  const changed = await changeFivePercent(TREE, planTree());
  await fs.writeFile(path.join(WORK, 'changed.json'), JSON.stringify(changed.map((f) => f.rel)));
  for (const r of tools) await record(r, '5% changed backup', await r.tool.backup(repoOf(r.tool), TREE, 3));
  const changedBytes = await directoryBytes(TREE);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const r of tools) {
      const target = path.join(WORK, `restore-${r.tool.name.split(' ')[0]}`);
      await fs.rm(target, { recursive: true, force: true });
      await record(r, 'full restore', await r.tool.restore(repoOf(r.tool), target, 3));
      const restored = await directoryBytes(target);
      if (restored !== changedBytes) process.stderr.write(`WARNING: ${r.tool.name} restored ${restored} bytes, the tree has ${changedBytes}\n`);
      await fs.rm(target, { recursive: true, force: true });
    }
  }
  await restoreOriginals();
  const coresAfter = await availableCores();

  printReport(tools, treeBytes, fileCount);
  console.log(`\ncores available to one process (of 2 threads spinning): ${coresBefore.toFixed(2)} before, ${coresAfter.toFixed(2)} after the runs`);
}

function printReport(tools: ToolResult[], treeBytes: number, fileCount: number): void {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(`\nCoffer vault engine benchmark: ${fileCount} files, ${mib(treeBytes)} MiB (warm page cache; first backup and restore: best of ${ROUNDS})\n`);
  console.log('tool        phase               wall s   CPU s  peak RSS MiB  vault MiB');
  for (const r of tools) {
    for (const phase of PHASES) {
      const m = r.phases[phase];
      if (!m) continue;
      console.log(
        `${r.tool.name.padEnd(11)} ${phase.padEnd(18)} ${m.wallS.toFixed(2).padStart(7)} ${m.cpuS.toFixed(2).padStart(7)} ${m.peakRssMiB.toFixed(0).padStart(13)} ${mib(m.vaultBytes).padStart(10)}`,
      );
    }
  }
  const me = tools.find((t) => t.tool === coffer)!;
  for (const peer of tools.filter((t) => t.tool !== coffer)) {
    console.log(`\nCoffer / ${peer.tool.name} (below 1.00 means Coffer is faster or smaller)`);
    for (const phase of PHASES) {
      const a = me.phases[phase];
      const b = peer.phases[phase];
      if (!a || !b) continue;
      console.log(
        `  ${phase.padEnd(18)} wall ${(a.wallS / b.wallS).toFixed(2)}  CPU ${(a.cpuS / b.cpuS).toFixed(2)}  RSS ${(a.peakRssMiB / b.peakRssMiB).toFixed(2)}  vault ${(a.vaultBytes / b.vaultBytes).toFixed(2)}`,
      );
    }
  }
  const mine = me.phases['first backup'];
  const restics = tools.find((t) => t.tool === restic)?.phases['first backup'];
  if (mine && restics) {
    const ok = mine.vaultBytes <= restics.vaultBytes;
    console.log(`
Target: vault after the first backup no larger than restic's: ${mib(mine.vaultBytes)} MiB vs ${mib(restics.vaultBytes)} MiB ${ok ? 'met' : 'NOT met'}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
