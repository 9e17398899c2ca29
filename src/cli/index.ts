import type { Command } from 'commander';
import { registerAgentsCommands } from './commands/agents.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerConfigsCommands } from './commands/configs.js';
import { registerDrillsCommands } from './commands/drills.js';
import { registerEventsCommand } from './commands/events.js';
import { registerJobCommands } from './commands/jobs.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerNotificationsCommands } from './commands/notifications.js';
import { registerQuotaCommands } from './commands/quota.js';
import { registerQueueCommands } from './commands/queue.js';
import { registerTasksCommands } from './commands/tasks.js';
import { registerUsersCommands } from './commands/users.js';
import { registerVerificationCommands } from './commands/verification.js';
import { registerWebhooksCommands } from './commands/webhooks.js';

/** Every command of the `coffer` client: thin wrappers over the public HTTP API. */
export function registerClientCommands(program: Command): void {
  registerAuthCommands(program);
  registerAgentsCommands(program);
  registerConfigsCommands(program);
  registerJobCommands(program);
  registerEventsCommand(program);
  registerLogsCommand(program);
  registerTasksCommands(program);
  registerDrillsCommands(program);
  registerVerificationCommands(program);
  registerQuotaCommands(program);
  registerQueueCommands(program);
  registerNotificationsCommands(program);
  registerWebhooksCommands(program);
  registerUsersCommands(program);
  registerCompletionCommand(program);
}
