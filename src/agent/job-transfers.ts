import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConfigurationDocument } from './configuration-document.js';
import { TokenBucket, type Bandwidth } from './token-bucket.js';
import type { TransferGate } from './transfer-gate.js';

/**
 * The vault transfer limits of the job whose code is running, on top of the agent's own: its configuration's
 * buckets. The vault is one object shared by every job, so the job's limits travel with its async context
 * (AsyncLocalStorage) rather than through every engine call: whatever the job's code sends or reads, however deep,
 * finds them here.
 */
export interface JobTransfers {
  bandwidth: Bandwidth;
  /** A scheduled backup's window: closed while its transfers must wait. */
  gate?: TransferGate;
  /** The job's own stop: a transfer waiting at the gate ends with it. */
  signal?: AbortSignal;
}

const current = new AsyncLocalStorage<JobTransfers>();

export function runWithJobTransfers<T>(transfers: JobTransfers, work: () => Promise<T>): Promise<T> {
  return current.run(transfers, work);
}

/** The running job's limits; undefined outside a job (the agent's limits alone apply). */
export function currentJobTransfers(): JobTransfers | undefined {
  return current.getStore();
}

/**
 * One pair of buckets per configuration, kept for the agent's life and re-rated from each new configuration
 * document, so a transfer in flight follows a changed limit. Every job of one configuration shares its buckets.
 */
export class ConfigurationBandwidths {
  private readonly buckets = new Map<string, Bandwidth>();

  of(configurationId: string): Bandwidth {
    let bandwidth = this.buckets.get(configurationId);
    if (!bandwidth) {
      bandwidth = { upload: new TokenBucket(), download: new TokenBucket() };
      this.buckets.set(configurationId, bandwidth);
    }
    return bandwidth;
  }

  /** Rates from the document; a configuration no longer in it keeps no limit of its own. Returns what changed. */
  apply(document: ConfigurationDocument): { id: string; upload: number | null; download: number | null }[] {
    const changed: { id: string; upload: number | null; download: number | null }[] = [];
    const listed = new Set<string>();
    for (const configuration of document.configurations) {
      listed.add(configuration.id);
      const upload = configuration.bandwidth?.upload_bytes_per_second ?? null;
      const download = configuration.bandwidth?.download_bytes_per_second ?? null;
      const buckets = this.of(configuration.id);
      if (buckets.upload.rate === upload && buckets.download.rate === download) continue;
      buckets.upload.setRate(upload);
      buckets.download.setRate(download);
      changed.push({ id: configuration.id, upload, download });
    }
    for (const [id, buckets] of this.buckets) {
      if (listed.has(id)) continue;
      buckets.upload.setRate(null);
      buckets.download.setRate(null);
    }
    return changed;
  }
}
