import { Worker } from 'node:worker_threads';

/**
 * How many cores this process actually gets right now: two threads spin for `ms` and the CPU time they
 * receive is divided by the wall time. On a shared machine this explains wall times better than load average.
 */
export async function availableCores(ms = 1000): Promise<number> {
  const code = `const t = Date.now(); let x = 0; while (Date.now() - t < ${ms}) x += Math.sqrt(x + 1); require('node:worker_threads').parentPort.postMessage(x > 0);`;
  const before = process.cpuUsage();
  const started = Date.now();
  await Promise.all([0, 1].map(() => new Promise((resolve) => new Worker(code, { eval: true }).once('message', resolve))));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (Date.now() - started);
}
