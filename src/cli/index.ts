import type { Command } from 'commander';
import { registerAgentsCommands } from './commands/agents.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerConfigsCommands } from './commands/configs.js';

/** Every command of the `coffer` client: thin wrappers over the public HTTP API. */
export function registerClientCommands(program: Command): void {
  registerAuthCommands(program);
  registerAgentsCommands(program);
  registerConfigsCommands(program);
}
