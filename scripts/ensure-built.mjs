// Installs dependencies and compiles TypeScript when they are missing or older than the sources, so that
// `npm start` and `npm test` work on a fresh clone with nothing run before them.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir || '/usr' } });

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
const needInstall =
  !fs.existsSync(installedMarker) || lockOrManifest.some((f) => fs.statSync(f).mtimeMs > fs.statSync(installedMarker).mtimeMs + 1000);
if (needInstall) {
  process.stdout.write('Installing dependencies (the first time builds SQLite, about 2 minutes)…\n');
  run(fs.existsSync(path.join(root, 'package-lock.json')) ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund');
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
}
