import type { Generated } from 'kysely';
import type { AlertTables } from './alert-tables.js';
import type { DrillTables } from './drill-tables.js';
import type { TaskTables } from './task-tables.js';

/**
 * Row types of every table. JSON documents are stored as TEXT on both engines and booleans as 0/1 integers, so the
 * two engines hold byte-identical values; timestamps are ISO-8601 UTC strings with microseconds, which sort as text.
 */
export interface ProjectsTable {
  id: string;
  name: string;
  created_at: string;
  /** Vault limits over all the project's agents; null is unlimited. */
  quota_bytes: number | null;
  quota_files: number | null;
  /** S3 Object Lock of the vault files its agents upload (GOVERNANCE or COMPLIANCE), null when off. */
  object_lock_mode: string | null;
  object_lock_days: number | null;
}

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  /** null for a global administrator. */
  project_id: string | null;
  /** JSON array of role names. */
  roles: string;
  is_admin: number;
  /** 1: may not log in, and its tokens are refused. */
  disabled: Generated<number>;
  created_at: string;
}

/** Failed logins per `account:…` or `address:…` key, for the login throttle shared by several nodes. */
export interface LoginFailuresTable {
  key: string;
  failures: number;
  window_started_at: string;
}

export interface TokensTable {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  token_hash: string;
  user_id: string | null;
  agent_id: string | null;
  project_id: string | null;
  expires_at: string;
  created_at: string;
}

export interface AgentsTable {
  seq: Generated<number>;
  id: string;
  project_id: string;
  name: string;
  version: string;
  /** JSON: flavor, region, machine {id}, os {name, version, architecture}, addresses. */
  host: string;
  fingerprint: string;
  password_hash: string;
  enabled: number;
  /** JSON: modulus, exponent (echoed as sent). */
  rsa_public_key: string;
  vault_id: string;
  vault_region: string | null;
  vault_use_internal: number;
  vault_encrypted: number;
  /** Bytes the agent last reported in its vault; a vault holding data cannot change region. */
  vault_bytes: number;
  /** Files in the vault, kept in step with vault_bytes by the vault endpoint. */
  vault_files: number;
  /** This agent's vault limits; null is unlimited. */
  quota_bytes: number | null;
  quota_files: number | null;
  /** 1 when the agent said at its last login that its owner enabled tasks on the host. */
  tasks_enabled: Generated<number>;
  log_level: string;
  /** Event-activation mode: idle, active or real_time. */
  activation_mode: string;
  registered_time: string;
  last_seen_at: string | null;
  last_heartbeat_event_at: string | null;
  /** Until when the agent polls at its activation_mode's rate; afterwards it is back to idle. */
  activation_until: string | null;
  registered_by: string | null;
  version_no: number;
  /** Who can open the vault when the host is gone: `server` (a recovery copy) or `private` (migration 0140). */
  key_custody: Generated<string>;
}

/** A verification schedule: the agent's vault checked on `schedule`, one of `subsets` pack subsets read per run. */
export interface VaultVerificationsTable {
  agent_id: string;
  project_id: string;
  enabled: number;
  /** JSON {recurrence, time_zone}, or null for runs on request only. */
  schedule: string | null;
  subsets: number;
  /** Runs started so far: the next run reads subset (runs_started mod subsets) + 1. */
  runs_started: number;
  next_run_time: string | null;
  created_at: string;
  updated_at: string;
}

/** One verification run: `check` of an agent's vault reading subset `subset` of `subsets`. */
export interface VerificationRunsTable {
  seq: Generated<number>;
  id: string;
  project_id: string;
  agent_id: string;
  vault_id: string;
  state: string;
  subset: number;
  subsets: number;
  started_by: string;
  /** JSON: what the agent reported (errors, packs, packs_read, bytes_read, snapshots). */
  results: string;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface ConfigurationsTable {
  seq: Generated<number>;
  id: string;
  project_id: string;
  agent_id: string;
  name: string;
  enabled: number;
  /** JSON {start, recurrence, time_zone} or null for manual-only. */
  schedule: string | null;
  retention_days: number;
  /** JSON keep rules (`{keep_last, keep_daily, …, keep_within}`) or null when only `retention_days` applies. */
  retention_rules: string | null;
  inclusions: string;
  exclusions: string;
  notifications: string;
  deleted: number;
  last_completed_backup_id: string | null;
  next_scheduled_time: string | null;
  created_at: string;
  updated_at: string;
  version_no: number;
  /** The configuration's own vault bandwidth in bytes per second, null: none (migration 0270). */
  upload_bytes_per_second: number | string | null;
  download_bytes_per_second: number | string | null;
  /** JSON {start, end, outside} or null: when its scheduled backups may run (migration 0271). */
  backup_window: string | null;
}

/** Backups, restores and cleanups: one row each, the kind-specific fields in `details` and `results`. */
export interface JobsTable {
  seq: Generated<number>;
  id: string;
  project_id: string;
  kind: string;
  /** The agent that does the work: the backup's agent, the restore's destination agent, the cleanup's agent. */
  agent_id: string;
  configuration_id: string | null;
  /** For restores: the backup being restored. */
  backup_id: string | null;
  state: string;
  /** How the job was started: start_requested (user) or start_scheduled (agent). */
  started_by: string;
  started_time: string | null;
  ended_time: string | null;
  snapshot_id: number | null;
  /** JSON: what the job was asked to do (restore destination, filters, …). */
  details: string;
  /** JSON: counters the agent reported (files_*, bytes_*, snapshot_ids, …). */
  results: string;
  /** JSON: {count, reason, diagnostics, list}. */
  errors: string;
  scheduled_time: string | null;
  created_at: string;
  updated_at: string;
  version_no: number;
  /** Backups: the vault written to (migration 0002). */
  vault_id: string | null;
  /** Backups: the cleanup that removed the snapshot from the vault (migration 0005). */
  pruned_by: Generated<string | null>;
  /** Backups: 'waiting' in the queue for a run slot, or 'admitted' (holds one until it ends) (migration 0210). */
  admission: Generated<'waiting' | 'admitted' | null>;
  /** The inserting transaction, for the stream order of job lists (migration 0230, src/store/commit-order.ts). */
  commit_tx: Generated<number>;
  /** Moves on every update of the row, by a trigger (migration 0310): (seq, revision) names one content of the row. */
  revision: Generated<number>;
}

export interface EventsTable {
  id: Generated<number>;
  project_id: string;
  agent_id: string | null;
  configuration_id: string | null;
  /** Backup, restore, cleanup, log file, request or task id the event is about. */
  subject_id: string | null;
  name: string;
  time: string;
  /** JSON of the event's own fields (everything except id, time and event). */
  body: string;
  /** 1 for result documents (browse results, vault reports): read by request id, never listed. */
  hidden: Generated<number>;
  /** The inserting transaction, for the stream order (migration 0230, src/store/commit-order.ts). */
  commit_tx: Generated<number>;
}

export interface LogfilesTable {
  seq: Generated<number>;
  id: string;
  project_id: string;
  agent_id: string;
  state: string;
  date: string;
  /** Relative path of the uploaded file under the data directory, once uploaded. */
  blob_path: string | null;
  blob_size: number | null;
  updated_at: string;
  version_no: number;
}

/** Browse, vault-encryption and vault-password-verification requests an agent answers. */
export interface AgentRequestsTable {
  id: string;
  project_id: string;
  agent_id: string;
  kind: string;
  /** The backup of a backup browse request; the verified agent of a password verification. */
  subject_id: string | null;
  /** JSON: what was asked (path, action, …). */
  details: string;
  reported_at: string | null;
  created_at: string;
}

export interface SummarySettingsTable {
  project_id: string;
  daily: number;
  weekly: number;
  /** JSON array of {type, destination}. */
  notifications: string;
  updated_at: string;
}

/** The one row every backup admission decision updates first: it serialises admissions across API nodes. */
export interface AdmissionTurnsTable {
  id: number;
  turns: number;
}

/** A project's backup queue settings (absent: the defaults). */
export interface QueueSettingsTable {
  project_id: string;
  max_running_backups: number;
  start_jitter_seconds: number;
  updated_at: string;
}

/** An agent's own limits (absent: the defaults). */
export interface AgentLimitsTable {
  agent_id: string;
  max_running_jobs: number;
  updated_at: string;
  /** Vault bandwidth in bytes per second, null: no limit (migration 0211). */
  upload_bytes_per_second: number | null;
  download_bytes_per_second: number | null;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

/** A project's recovery key pair: vault master keys are sealed under the public half (RSA-OAEP-SHA256). */
export interface ProjectRecoveryKeysTable {
  project_id: string;
  /** SHA-256 of the public key (DER), hex: names the key a sealed copy was made for. */
  key_id: string;
  public_key_pem: string;
  private_key_pem: string;
  created_at: string;
}

/** The server-held copy of a vault's master key, sealed by the agent under its project's recovery key. */
export interface VaultRecoveryKeysTable {
  vault_id: string;
  project_id: string;
  recovery_key_id: string;
  /** base64 of RSA-OAEP-SHA256(recovery public key, master key). */
  sealed_master_key: string;
  created_at: string;
}

export interface Database extends TaskTables, AlertTables, DrillTables {
  projects: ProjectsTable;
  users: UsersTable;
  tokens: TokensTable;
  login_failures: LoginFailuresTable;
  agents: AgentsTable;
  configurations: ConfigurationsTable;
  vault_verifications: VaultVerificationsTable;
  verification_runs: VerificationRunsTable;
  jobs: JobsTable;
  events: EventsTable;
  logfiles: LogfilesTable;
  agent_requests: AgentRequestsTable;
  summary_settings: SummarySettingsTable;
  admission_turns: AdmissionTurnsTable;
  queue_settings: QueueSettingsTable;
  agent_limits: AgentLimitsTable;
  server_secrets: ServerSecretsTable;
  project_recovery_keys: ProjectRecoveryKeysTable;
  vault_recovery_keys: VaultRecoveryKeysTable;
  vault_upload_grants: VaultUploadGrantsTable;
}

/** A vault file an agent may upload straight to object storage, counted in the vault's usage once. */
export interface VaultUploadGrantsTable {
  vault_id: string;
  name: string;
  size: number;
  created_at: string;
}
