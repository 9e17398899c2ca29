import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { registerAgentCommands } from '../agent/index.js';
import { registerClientCommands } from './index.js';
import { registerServeCommand } from './serve.js';
import { registerServerDataCommands } from './server-data/index.js';
import { registerStorageCommands } from './storage.js';
import { registerVaultCommands } from './vault/index.js';
import { itemAt } from '../../test/helpers/indexing.js';

/** The whole program, as `coffer --help` lists it (src/main.ts runs it on import, so it is assembled here). */
function wholeProgram(): Command {
  const program = new Command('coffer').option('--json');
  for (const register of [registerClientCommands, registerServeCommand, registerAgentCommands, registerVaultCommands, registerServerDataCommands, registerStorageCommands]) register(program);
  return program;
}

/*
 * What the program tells people to type must exist: every `coffer …` command named in a message, a hint or a help
 * text of the program or the console, and every COFFER_* variable they mention.
 */

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|html)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [full] : [];
  });
}

const files = sourceFiles(SRC).map((file) => ({ file: path.relative(SRC, file), text: fs.readFileSync(file, 'utf8') }));

describe('hints name what exists', { timeout: 60_000 }, () => {
  test('every `coffer WORD [WORD]` in the sources is a command of the program', () => {
    const program = wholeProgram();
    const byName = new Map(program.commands.map((c) => [c.name(), c] as [string, Command]));
    const seen = new Set<string>();
    for (const { file, text } of files) {
      // In strings and comments alike: `coffer backups --restorable`, "run: coffer login --project ID".
      for (const match of text.matchAll(/\bcoffer ([a-z][a-z-]+)(?: ([a-z][a-z-]+))?/g)) {
        const [, first, second] = match;
        assert.ok(first !== undefined, 'the first word is not optional in the pattern');
        const command = byName.get(first);
        if (!command) {
          // Prose such as "coffer is the same program" or "Coffer keeps …" is not a command line.
          if (/^(is|keeps|does|runs|and|or|the|a|to|can|will|has|on|in|with|for|serves|speaks|agent's|program|server's|vault's|command)$/.test(first)) continue;
          assert.fail(`${file}: "coffer ${first}" names no command (${match[0]})`);
        }
        seen.add(first);
        const subs = command.commands.map((c) => c.name());
        if (second !== undefined && subs.length > 0 && command.registeredArguments.length === 0) {
          assert.ok(subs.includes(second), `${file}: "coffer ${first} ${second}" names no subcommand of ${first} (${subs.join(', ')})`);
        }
      }
    }
    for (const name of ['restore', 'watch', 'errors', 'login', 'backups']) assert.ok(seen.has(name), `the scan found hints naming coffer ${name}`);
  });

  test('every COFFER_* variable a text mentions is read by the program', () => {
    const mentioned = new Set<string>();
    const read = new Set<string>();
    for (const { text } of files) {
      for (const match of text.matchAll(/\bCOFFER_[A-Z0-9_]+/g)) mentioned.add(match[0]);
      for (const match of text.matchAll(/env(?:\.|\[')((?:COFFER)_[A-Z0-9_]+)/g)) read.add(itemAt(match, 1));
      // Variables named through a helper: vaultPassword('…', 'COFFER_OLD_VAULT_PASSWORD'), envNumber('COFFER_…').
      for (const match of text.matchAll(/\(\s*'(COFFER_[A-Z0-9_]+)'/g)) read.add(itemAt(match, 1));
      for (const match of text.matchAll(/, '(COFFER_[A-Z0-9_]+)'\)/g)) read.add(itemAt(match, 1));
      // Set for a child process (a task's environment): named as an object key.
      for (const match of text.matchAll(/\b(COFFER_[A-Z0-9_]+):/g)) read.add(itemAt(match, 1));
    }
    const unread = [...mentioned].filter((name) => !read.has(name));
    assert.deepEqual(unread, [], `mentioned but never read: ${unread.join(', ')}`);
    assert.ok(read.has('COFFER_VAULT_PASSWORD') && read.has('COFFER_OLD_VAULT_PASSWORD'));
  });
});
