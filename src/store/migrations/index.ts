import type { Migration } from '../migrate.js';
import { initialSchema } from './0001-initial.js';
import { jobVault } from './0002-job-vault.js';
import { agentRequestsAndSettings } from './0003-agent-requests-settings.js';
import { eventsCommitInIdOrder } from './0050-events-commit-in-id-order.js';
import { tasksSchema } from './0004-tasks.js';
import { backupPruned } from './0005-backup-pruned.js';
import { vaultQuotas } from './0120-vault-quotas.js';
import { agentTaskCapability } from './0121-agent-task-capability.js';
import { userDisabled } from './0122-user-disabled.js';
import { alerts } from './0170-alerts.js';
import { recoveryKeys } from './0140-recovery-keys.js';
import { drills } from './0220-drills.js';
import { vaultUploadGrants } from './0260-vault-upload-grants.js';
import { projectObjectLock } from './0261-project-object-lock.js';
import { agentAbsenceHistory } from './0190-agent-absence-history.js';
import { commitHorizon } from './0230-commit-horizon.js';
import { backupQueue } from './0210-backup-queue.js';
import { agentBandwidth } from './0211-agent-bandwidth.js';
import { retentionRules } from './0200-retention-rules.js';
import { vaultVerifications } from './0201-vault-verifications.js';
import { loginFailures } from './0180-login-failures.js';
import { configurationBandwidth } from './0270-configuration-bandwidth.js';
import { configurationBackupWindow } from './0271-configuration-backup-window.js';
import { eventsProjectAgentIndex } from './0290-events-project-agent-index.js';
import { agentsVaultIndex } from './0330-agents-vault-index.js';
import { jobRevision } from './0310-job-revision.js';

/** Every migration, in the order it applies. Append new ones; never edit an applied one. */
export const MIGRATIONS: Migration[] = [
  initialSchema,
  jobVault,
  agentRequestsAndSettings,
  tasksSchema,
  backupPruned,
  eventsCommitInIdOrder,
  vaultQuotas,
  agentTaskCapability,
  userDisabled,
  alerts,
  recoveryKeys,
  vaultUploadGrants,
  projectObjectLock,
  agentAbsenceHistory,
  drills,
  commitHorizon,
  retentionRules,
  vaultVerifications,
  backupQueue,
  loginFailures,
  agentBandwidth,
  configurationBandwidth,
  eventsProjectAgentIndex,
  configurationBackupWindow,
  agentsVaultIndex,
  jobRevision,
];
