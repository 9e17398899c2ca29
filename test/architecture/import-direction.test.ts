// Imports go down the layers drawn in docs/architecture.md. Each rule names the only top-level folders of src/ a
// layer may import from (its own included); npm packages and node: modules are not judged.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

// The rules, shared with eslint.config.js.
const MAY_IMPORT: Record<string, { only?: string[]; not?: string[] }> = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'layers.json'), 'utf8'));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Relative import specifiers of a file: static imports, re-exports and dynamic import(). */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return found;
}

/** The top-level folder (or file) of src/ a path lies in. */
const layerOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;

describe('import direction', () => {
  for (const [layer, rule] of Object.entries(MAY_IMPORT)) {
    it(`src/${layer} imports ${rule.only ? `only from ${rule.only.join(', ')}` : `nothing from ${rule.not!.join(', ')}`}`, () => {
      const files = sourceFiles(path.join(SRC, layer));
      assert.ok(files.length > 0, `src/${layer} has source files`);
      const wrong: string[] = [];
      for (const file of files) {
        for (const specifier of relativeImports(file)) {
          const target = layerOf(path.resolve(path.dirname(file), specifier)).replace(/\.js$/, '');
          const allowed = rule.only ? rule.only.includes(target) : !rule.not!.includes(target);
          if (!allowed) wrong.push(`${path.relative(SRC, file)} imports ${specifier}`);
        }
      }
      assert.deepEqual(wrong, []);
    });
  }

  it('finds the imports it judges (a file that imports across layers is seen)', () => {
    const imports = relativeImports(path.join(SRC, 'server/server.ts'));
    assert.ok(
      imports.some((specifier) => specifier.startsWith('../resources/')),
      JSON.stringify(imports),
    );
  });
});
