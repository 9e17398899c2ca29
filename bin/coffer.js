#!/usr/bin/env node
// `coffer`: runs the built program on Node 24. Started by an older node (the machine's own), it starts itself
// again with the Node 24 that npm installed beside it (the pinned `node` package) and passes signals on.
import { runsOnSupportedNode } from '../scripts/pinned-node.mjs';

if (runsOnSupportedNode()) {
  await import('../dist/src/main.js');
} else {
  const [{ spawn }, { fileURLToPath }, { pinnedNodePath }] = await Promise.all([
    import('node:child_process'),
    import('node:url'),
    import('../scripts/pinned-node.mjs'),
  ]);
  const root = fileURLToPath(new URL('..', import.meta.url));
  const node = pinnedNodePath(root);
  if (!node) {
    process.stderr.write(`coffer: needs Node.js 24 or newer (this is ${process.version}); run "npm ci" in ${root} to install the pinned one\n`);
    process.exit(1);
  }
  const child = spawn(node, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal itself (same process group): passing it on would deliver it twice.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}
