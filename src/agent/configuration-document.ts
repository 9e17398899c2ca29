import type { BackupWindow } from '../domain/backup-window/index.js';
import type { Exclusion } from '../engine/archiver/exclusion.js';
import type { PathRule } from '../engine/archiver/path-filter.js';
import type { AgentApi } from './agent-api.js';

export interface ConfigurationEntry {
  id: string;
  name: string;
  enabled: boolean;
  retention: { days: number };
  /** Next scheduled times (UTC), or null for manual-only configurations. */
  times: string[] | null;
  inclusions: PathRule[];
  exclusions: Exclusion[];
  /** This configuration's own vault bandwidth (bytes/s; null: none), on top of the agent's job_controls. */
  bandwidth?: { upload_bytes_per_second?: number | null; download_bytes_per_second?: number | null };
  /** When its scheduled backups may run: times of day in `time_zone`; null or absent: any time. */
  backup_window?: (BackupWindow & { time_zone: string }) | null;
}

export interface ConfigurationDocument {
  system_preferences?: {
    logging?: { level?: string };
    /** How the agent paces its work: jobs at once, the spread of scheduled starts, vault bandwidth (bytes/s). */
    job_controls?: { max_running_jobs?: number; start_jitter_seconds?: number; upload_bytes_per_second?: number | null; download_bytes_per_second?: number | null };
    events?: { rse?: { heartbeat?: { interval_ms?: Record<string, number> }; polling?: { timeout_ms?: Record<string, number> } } };
  };
  vaults: { id: string; encrypted?: boolean; links: { href: string; rel: string }[] }[];
  configurations: ConfigurationEntry[];
}

/** The agent's configuration document (`GET /agents/{id}/configuration`), kept until `configuration_changed`. */
export class ConfigurationCache {
  private document: ConfigurationDocument | undefined;
  private loading: Promise<ConfigurationDocument> | undefined;

  constructor(private readonly api: AgentApi) {}

  async get(): Promise<ConfigurationDocument> {
    if (this.document) return this.document;
    return this.reload();
  }

  reload(): Promise<ConfigurationDocument> {
    this.loading ??= this.api
      .get<ConfigurationDocument>(this.api.agentUrl('configuration'))
      .then((answer) => {
        this.document = answer.body;
        return answer.body;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  async configuration(id: string): Promise<ConfigurationEntry | undefined> {
    const find = (doc: ConfigurationDocument) => doc.configurations.find((c) => c.id === id);
    return find(await this.get()) ?? find(await this.reload());
  }

  async vaultUrl(): Promise<string> {
    const vault = (await this.get()).vaults[0];
    const link = vault?.links.find((l) => l.rel === 'publicURL') ?? vault?.links[0];
    if (!link) throw new Error('the configuration document names no vault');
    this.api.assertOwnOrigin(link.href);
    return link.href;
  }
}
