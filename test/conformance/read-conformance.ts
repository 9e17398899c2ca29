import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One JSON file of the conformance suites in this folder, by its path below it (e.g. `json-patch/tests.json`). */
export function readConformance(relativePath: string): unknown {
  return JSON.parse(readFileSync(fileURLToPath(new URL(relativePath, import.meta.url)), 'utf8'));
}
