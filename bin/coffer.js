#!/usr/bin/env node
// `coffer`: runs the built program on Node 24. Started by an older node (the machine's own), it starts itself
// again with the Node 24 that npm installed beside it (the pinned `node` package) and passes signals on.
// `coffer --version` and `coffer --help` are answered here, without loading the program.
import { readFileSync } from 'node:fs';
import { runsOnSupportedNode } from '../scripts/pinned-node.mjs';

const args = process.argv.slice(2);
const quickAnswer = () => {
  if (args.length !== 1) return undefined;
  if (args[0] === '--version' || args[0] === '-V') {
    return `${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`;
  }
  if (args[0] === '--help' || args[0] === '-h') {
    try {
      return readFileSync(new URL('../dist/help.txt', import.meta.url), 'utf8');
    } catch {
      return undefined; // not built with it: the program lists the commands itself
    }
  }
  return undefined;
};

const answer = quickAnswer();
if (answer !== undefined) {
  process.stdout.write(answer);
} else if (runsOnSupportedNode()) {
  await import('../dist/src/main.js');
} else {
  const [{ spawn }, { fileURLToPath }, { pinnedNodePath }] = await Promise.all([import('node:child_process'), import('node:url'), import('../scripts/pinned-node.mjs')]);
  const root = fileURLToPath(new URL('..', import.meta.url));
  const node = pinnedNodePath(root);
  if (!node) {
    process.stderr.write(`coffer: needs Node.js 24 or newer (this is ${process.version}); run "npm ci" in ${root} to install the pinned one\n`);
    process.exit(1);
  }
  const child = spawn(node, [...process.execArgv, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal itself (same process group): passing it on would deliver it twice.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}
