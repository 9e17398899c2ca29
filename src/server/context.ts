import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { Store } from '../store/store.js';
import type { LoginGate } from '../resources/identity/login-throttle.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { EventHub } from '../resources/events/event-hub.js';
import type { LastSeenWriter } from './last-seen-writer.js';

/** What every route needs, built once per server process. */
export interface AppContext {
  config: ServerConfig;
  store: Store;
  events: EventHub;
  /** Vault files and log files: the local data directory or S3-compatible object storage. */
  blobs: BlobStore;
  /** Vault bytes that passed through this node's vault routes (with object storage, agents bypass the node). */
  vaultTraffic: { received: number; sent: number };
  log: FastifyBaseLogger;
  /** Base of absolute links: COFFER_PUBLIC_URL, or the address the server listens on (see links.ts). */
  publicBase(): string;
  /** Failed logins of users and agents, per account and per client address. */
  logins: LoginGate;
  /** Agents heard from by this node, written to `last_seen_at` in batches. */
  sightings: LastSeenWriter;
  /** Work to run when the server stops (timers, listeners). */
  onClose(callback: () => Promise<void> | void): void;
}
