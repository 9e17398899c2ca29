import { Command, CommanderError } from 'commander';
import { registerServeCommand } from './cli/serve.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('coffer')
    .description('Coffer: self-hosted backups. Server, agent, vault engine and command line in one program.')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`coffer: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

await main(process.argv);
