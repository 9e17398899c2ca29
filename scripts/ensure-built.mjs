// Installs dependencies and compiles TypeScript when they are missing or older than the sources, so that
// `npm start` and `npm test` work on a fresh clone with nothing run before them. The install brings the pinned
// Node 24 (the `node` package) that npm scripts, bin/coffer.js and the tests run on, whatever the machine's node.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pinnedNodePath, pinnedNodeVersion } from './pinned-node.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

const lockOrManifest = ['package-lock.json', 'package.json'].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f));
const installedMarker = path.join(root, 'node_modules', '.package-lock.json');
function installedNodeVersion() {
  const binary = pinnedNodePath(root);
  if (!binary) return null;
  return JSON.parse(fs.readFileSync(path.join(path.dirname(binary), '..', 'package.json'), 'utf8')).version;
}

const needInstall =
  !fs.existsSync(installedMarker) || lockOrManifest.some((f) => fs.statSync(f).mtimeMs > fs.statSync(installedMarker).mtimeMs + 1000) || installedNodeVersion() !== pinnedNodeVersion(root);
if (needInstall) {
  process.stdout.write(`Installing dependencies and Node ${pinnedNodeVersion(root)} into node_modules…\n`);
  // npm itself may run on an older node than the packages will: its engine warnings do not apply, so only errors show.
  const quiet = '--no-audit --no-fund --loglevel=error';
  run(fs.existsSync(path.join(root, 'package-lock.json')) ? `npm ci ${quiet}` : `npm install ${quiet}`);
}

const builtEntry = path.join(root, 'dist', 'src', 'main.js');
const needBuild = !fs.existsSync(builtEntry) || newestMtime(path.join(root, 'src')) > fs.statSync(builtEntry).mtimeMs;
if (needBuild) {
  process.stdout.write('Compiling TypeScript…\n');
  run('npx tsc -p tsconfig.build.json');
  // Static assets (the web console) are served from dist as they are.
  const web = path.join(root, 'src', 'web');
  if (fs.existsSync(web)) fs.cpSync(web, path.join(root, 'dist', 'src', 'web'), { recursive: true });
  fs.utimesSync(builtEntry, new Date(), new Date());
  run('node scripts/write-help.mjs');
}
