import type { Generated } from 'kysely';

/** A project's webhook: where to POST which events, signed with `secret`. */
export interface WebhooksTable {
  seq: Generated<number>;
  id: string;
  project_id: string;
  url: string;
  /** JSON array of event type names. */
  event_types: string;
  secret: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

/**
 * The outbox: one row per message to send (an e-mail to one address, or a POST to one webhook), written in the
 * transaction that decided it and sent after commit by the delivery worker. `next_attempt_at` doubles as the lease:
 * a worker claims a row by moving it forward past the attempt's time limit, so a worker that dies mid-send leaves a
 * row that becomes due again.
 */
export interface DeliveriesTable {
  seq: Generated<number>;
  /** Unique per delivery, sent with every attempt so receivers can drop duplicates. */
  id: string;
  project_id: string;
  channel: string;
  webhook_id: string | null;
  /** The e-mail address, or the webhook URL at the time of the decision. */
  recipient: string;
  event_type: string;
  /** The job, agent or task the event is about. */
  subject_id: string | null;
  /** JSON of the event document. */
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface DeliveryAttemptsTable {
  seq: Generated<number>;
  delivery_id: string;
  attempt: number;
  started_at: string;
  duration_ms: number;
  outcome: string;
  status_code: number | null;
  error: string | null;
}

/**
 * Each time an agent was announced offline (migration 0190): open (`back_at` null) while it is away, at most one
 * open row per agent; closed, with an `agent.online` message, when it is heard from again.
 */
export interface AgentAbsencesTable {
  seq: Generated<number>;
  agent_id: string;
  project_id: string;
  /** When the agent was last heard from before it went away. */
  last_seen_at: string;
  announced_at: string;
  back_at: string | null;
}

/** Per-project alert settings. */
export interface AlertSettingsTable {
  project_id: string;
  /** An agent not heard from for this long is announced offline (default 24 h). */
  agent_offline_seconds: number;
  updated_at: string;
}

/** A summary e-mail period that has been decided (its outbox rows written): at most one row per period. */
export interface SummaryRunsTable {
  project_id: string;
  /** daily or weekly. */
  period: string;
  /** The UTC day (2026-01-05) or the ISO week (2026-W02) summarised. */
  period_key: string;
  created_at: string;
}

export interface AlertTables {
  webhooks: WebhooksTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  agent_absences: AgentAbsencesTable;
  alert_settings: AlertSettingsTable;
  summary_runs: SummaryRunsTable;
}
