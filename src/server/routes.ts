import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.js';
import { activityRoutes } from '../resources/activities/activities.routes.js';
import { agentRoutes } from '../resources/agents/agents.routes.js';
import { backupRoutes } from '../resources/backups/backups.routes.js';
import { cleanupRoutes } from '../resources/cleanups/cleanups.routes.js';
import { consoleRoutes } from '../resources/console/console.routes.js';
import { eventRoutes } from '../resources/events/events.routes.js';
import { logfileRoutes } from '../resources/logfiles/logfiles.routes.js';
import { browseRoutes } from '../resources/browse/browse.routes.js';
import { settingsRoutes } from '../resources/settings/settings.routes.js';
import { configurationRoutes } from '../resources/configurations/configurations.routes.js';
import { healthRoutes } from '../resources/health/health.routes.js';
import { identityRoutes } from '../resources/identity/identity.routes.js';
import { userRoutes } from '../resources/identity/users.routes.js';
import { metricsRoutes } from '../resources/metrics/metrics.routes.js';
import { restoreRoutes } from '../resources/restores/restores.routes.js';
import { vaultRoutes } from '../resources/vaults/vaults.routes.js';
import { quotaRoutes } from '../resources/quotas/quotas.routes.js';
import { taskRoutes } from '../resources/tasks/tasks.routes.js';
import { webhookRoutes } from '../resources/webhooks/webhooks.routes.js';
import { deliveryRoutes } from '../resources/deliveries/deliveries.routes.js';

/** Every resource's routes; each resource folder registers its own. */
export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await metricsRoutes(app, ctx);
  await healthRoutes(app, ctx);
  await consoleRoutes(app, ctx);
  await identityRoutes(app, ctx);
  await userRoutes(app, ctx);
  await agentRoutes(app, ctx);
  await cleanupRoutes(app, ctx);
  await eventRoutes(app, ctx);
  await logfileRoutes(app, ctx);
  await browseRoutes(app, ctx);
  await settingsRoutes(app, ctx);
  await configurationRoutes(app, ctx);
  await backupRoutes(app, ctx);
  await restoreRoutes(app, ctx);
  await activityRoutes(app, ctx);
  await vaultRoutes(app, ctx);
  await quotaRoutes(app, ctx);
  await taskRoutes(app, ctx);
  await webhookRoutes(app, ctx);
  await deliveryRoutes(app, ctx);
}
