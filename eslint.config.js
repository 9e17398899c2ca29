// ESLint: the recommended JavaScript and typescript-eslint rules (syntax only: no type information, so a whole run
// stays fast), and the layer rules of docs/architecture.md as import restrictions on each folder of src/.
import fs from 'node:fs';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layer rules of docs/architecture.md, shared with test/architecture/import-direction.test.ts: the only top-level
// parts of src/ a layer may import (its own included), or the ones it must not. Test files beside the code are not judged.
const MAY_IMPORT = JSON.parse(fs.readFileSync('test/architecture/layers.json', 'utf8'));

// Folders and files of src/ (src/config.ts is the part "config"), and the deepest folder a layer has.
const SRC_PARTS = fs.readdirSync('src').map((name) => name.replace(/\.ts$/, ''));
const MAX_DEPTH = 8;

/**
 * Import restrictions for the files `depth` folders below src/ in `layer`: a relative specifier reaches a top-level
 * part of src/ with exactly `depth` "../" (no-restricted-imports sees only the text of the specifier).
 */
function layerRules(layer, rule, depth) {
  const forbidden = rule.only ? SRC_PARTS.filter((part) => !rule.only.includes(part)) : rule.not;
  const reach = `^(\\.\\.\\/){${depth}}(${forbidden.join('|')})(\\.js)?(\\/|$)`;
  const message = rule.only
    ? `src/${layer} imports only from ${rule.only.map((part) => `src/${part}`).join(', ')} (docs/architecture.md).`
    : `src/${layer} imports nothing from ${rule.not.map((part) => `src/${part}`).join(', ')} (docs/architecture.md).`;
  // esquery regular expressions cannot hold a "/", so the selector spells it \x2F.
  const selectorReach = reach.replaceAll('\\/', '\\x2F');
  return {
    files: [`src/${layer}/${'*/'.repeat(depth - 1)}*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: reach, message }] }],
      // import('…') as an expression and as a type: no-restricted-imports does not look at either.
      'no-restricted-syntax': ['error', { selector: `ImportExpression[source.value=/${selectorReach}/]`, message }, { selector: `TSImportType[argument.literal.value=/${selectorReach}/]`, message }],
    },
  };
}

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
  },
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Terminal colours and escaped file names are matched by control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      // A name starting with "_" is unused on purpose: a parameter a signature needs, a field left out of a rest.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // JSON from the other side of the API (response bodies in tests, the CLI's and the agent's reads of the server's
    // answers) and Kysely's schema-free builders in migrations are typed `any` on purpose.
    files: ['test/**/*.ts', 'src/cli/**/*.ts', 'src/agent/**/*.ts', 'src/store/migrate.ts', 'src/store/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/web/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  ...Object.entries(MAY_IMPORT).flatMap(([layer, rule]) => Array.from({ length: MAX_DEPTH }, (_, index) => layerRules(layer, rule, index + 1))),
);
