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

/** Agents announced offline: a row while the agent is away, deleted (with an `agent.online` message) when it is back. */
export interface AgentAbsencesTable {
  agent_id: string;
  project_id: string;
  /** When the agent was last heard from, as judged when it was announced offline. */
  last_seen_at: string | null;
  announced_at: string;
}

/** Per-project alert settings. */
export interface AlertSettingsTable {
  project_id: string;
  agent_offline_seconds: number;
  updated_at: string;
}

/** A summary e-mail period that has been decided (its outbox rows written): at most one row per period. */
export interface SummaryRunsTable {
  project_id: string;
  period: string;
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
