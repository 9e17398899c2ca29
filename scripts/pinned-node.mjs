// The Node.js that runs Coffer: the `node` package pinned in package.json (Node 24 LTS), installed by npm into
// node_modules, so the machine's own `node` may be older. One place that finds it, for bin/coffer.js and scripts/.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The oldest Node major version Coffer runs on. */
export const MIN_NODE_MAJOR = 24;

export function runsOnSupportedNode(version = process.versions.node) {
  return Number(version.split('.')[0]) >= MIN_NODE_MAJOR;
}

/** Path of the pinned node binary as installed for the package at `root`, or null when it is not installed. */
export function pinnedNodePath(root) {
  try {
    const manifest = createRequire(path.join(root, 'package.json')).resolve('node/package.json');
    const binary = path.join(path.dirname(manifest), 'bin', 'node');
    return fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** The version the repository pins (package.json `dependencies.node`). */
export function pinnedNodeVersion(root) {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies.node;
}
