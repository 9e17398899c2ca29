import { Command } from 'commander';
import { registerAgentCommands } from './index.js';

/** Stand-alone entry of the agent (`node dist/src/agent/agent-main.js agent run`), used where the full CLI is not needed. */
const program = new Command().name('coffer').exitOverride();
registerAgentCommands(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if ((error as { code?: string }).code?.startsWith('commander.')) process.exitCode = 2;
  else {
    process.stderr.write(`coffer: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
