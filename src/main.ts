import { Command, CommanderError } from 'commander';
import { UsageError } from './cli/client/errors.js';
import { registerClientCommands } from './cli/index.js';
import { registerOptionalCommands } from './cli/optional-commands.js';
import { registerServeCommand } from './cli/serve.js';

export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program
    .name('coffer')
    .description('Coffer: self-hosted backups. Server, agent, vault engine and command line in one program.')
    .option('--json', 'print the API\'s JSON instead of tables (for scripts)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  await registerOptionalCommands(program, [
    { specifier: './cli/vault/index.js', exportName: 'registerVaultCommands' },
    { specifier: './agent/index.js', exportName: 'registerAgentCommands' },
  ]);
  registerClientCommands(program);
  for (const command of allCommands(program)) command.exitOverride();
  return program;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/** Exit codes: 0 done, 1 the server or the job said no, 2 the command was typed wrong. Errors are one line. */
async function main(argv: string[]): Promise<void> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = (error as Error)?.message ?? String(error);
    process.stderr.write(`coffer: ${message.split('\n')[0]}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}

await main(process.argv);
