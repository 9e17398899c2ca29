import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { registerClientCommands } from './index.js';

function leaves(command: Command): Command[] {
  const subs = command.commands.filter((c) => c.name() !== 'help');
  return subs.length === 0 ? [command] : subs.flatMap(leaves);
}

test('every client command has a description and an example in its --help', () => {
  const program = new Command('coffer').option('--json');
  registerClientCommands(program);
  const commands = leaves(program);
  assert.ok(commands.length >= 30, `${commands.length} commands`);
  for (const command of commands) {
    let help = '';
    command.configureOutput({ writeOut: (text) => (help += text) });
    command.outputHelp();
    const name = `${command.parent?.name()} ${command.name()}`;
    assert.ok(command.description().length > 10, `${name} has a description`);
    assert.match(help, /Examples:\n {2}\$ .*coffer /, `${name} --help has an example`);
  }
});
