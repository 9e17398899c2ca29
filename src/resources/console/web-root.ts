import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The console's static files: `dist/src/web` beside the compiled server (the build copies `src/web` there), or
 * `src/web` when the server runs from the sources through tsx; the checkout's `src/web` is the last resort.
 */
export function findWebRoot(): string | undefined {
  const candidates = [new URL('../../web/', import.meta.url), new URL('../../../../src/web/', import.meta.url)].map((url) => fileURLToPath(url));
  return candidates.find((dir) => fs.existsSync(`${dir}index.html`));
}
