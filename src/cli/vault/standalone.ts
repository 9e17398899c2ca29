/** Runs `coffer vault …` without the rest of the CLI: `node --import tsx src/cli/vault/standalone.ts vault init --repo …`. */
import { Command } from 'commander';
import { registerVaultCommands } from './index.js';

const program = new Command('coffer');
registerVaultCommands(program);
await program.parseAsync(process.argv);
