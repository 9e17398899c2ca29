import type { Selectable } from 'kysely';
import type { AgentsTable } from '../../store/database.js';

/** The 403 text when an agent's token tries what only people may do to agents. */
export const USERS_ONLY = 'This operation is for users, not agents.';

export interface AgentHost {
  flavor: string;
  region: string | null;
  machine: { id: string };
  os: { name: string; version: string; architecture: string };
  addresses: { version: number; addr: string }[];
}

export interface Agent {
  id: string;
  projectId: string;
  name: string;
  version: string;
  host: AgentHost;
  fingerprint: string;
  passwordHash: string;
  enabled: boolean;
  rsaPublicKey: { modulus: string; exponent: number | string };
  vault: { id: string; region: string | null; useInternal: boolean; encrypted: boolean; bytes: number; files: number };
  logLevel: string;
  activationMode: string;
  registeredTime: string;
  lastSeenAt: string | null;
  version_no: number;
}

export function agentFromRow(row: Selectable<AgentsTable>): Agent {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    version: row.version,
    host: JSON.parse(row.host),
    fingerprint: row.fingerprint,
    passwordHash: row.password_hash,
    enabled: row.enabled === 1,
    rsaPublicKey: JSON.parse(row.rsa_public_key),
    vault: {
      id: row.vault_id,
      region: row.vault_region,
      useInternal: row.vault_use_internal === 1,
      encrypted: row.vault_encrypted === 1,
      bytes: Number(row.vault_bytes),
      files: Number(row.vault_files),
    },
    logLevel: row.log_level,
    activationMode: row.activation_mode,
    registeredTime: row.registered_time,
    lastSeenAt: row.last_seen_at,
    version_no: row.version_no,
  };
}
