import { existsSync, readFileSync } from 'node:fs';

/** Coffer's version, from package.json (one folder up from src/, two from dist/src/). */
export function cofferVersion(): string {
  const near = new URL('../package.json', import.meta.url);
  const manifest = existsSync(near) ? near : new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
