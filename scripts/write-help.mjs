// Writes dist/help.txt: `coffer --help` as the built program prints it. bin/coffer.js prints this file for
// `coffer --help` instead of loading every command to list them (the file is rewritten by every build).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pinnedNodePath, runsOnSupportedNode } from './pinned-node.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const node = runsOnSupportedNode() ? process.execPath : pinnedNodePath(root);
const result = spawnSync(node, [path.join(root, 'dist', 'src', 'main.js'), '--help'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '100' } });
if (result.status !== 0) {
  process.stderr.write(`could not list the commands for dist/help.txt:\n${result.stderr}`);
  process.exit(1);
}
fs.writeFileSync(path.join(root, 'dist', 'help.txt'), result.stdout);
