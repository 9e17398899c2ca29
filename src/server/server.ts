import { LastSeenWriter } from './last-seen-writer.js';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.js';
import { EventHub } from '../resources/events/event-hub.js';
import { startMissedBackupScheduler } from '../resources/backups/missed-backup-scheduler.js';
import { startEventPruning } from '../resources/events/event-pruning.js';
import { openStore } from '../store/open-store.js';
import type { BlobStore } from '../storage/blob-store.js';
import { openBlobStore } from '../storage/open-blob-store.js';
import type { Store } from '../store/store.js';
import { buildApp } from './app.js';
import { assertConnectionLimits, connectionLimitWarning } from './connection-limits.js';
import { isWildcardHost } from './links.js';
import { LoginThrottle } from '../resources/identity/login-throttle.js';
import { SharedLoginThrottle } from '../resources/identity/shared-login-throttle.js';
import { holdPasswordPool } from '../resources/identity/password-pool.js';
import type { AppContext } from './context.js';
import { startTaskSweeper } from '../resources/tasks/task-sweeper.js';
import { startAgentLostSweeper } from '../resources/jobs/agent-lost-sweeper.js';
import { startAdmissionRunner } from '../resources/queue/admission-runner.js';
import { startNotifications } from '../resources/notifications/notifications.start.js';
import { startDrillScheduler } from '../resources/drills/drill-scheduler.js';
import { startVerificationScheduler } from '../resources/verifications/verification-scheduler.js';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  close(): Promise<void>;
}

/** Opens the store, builds the app and listens; `close` stops everything it started. */
export async function startServer(config: ServerConfig, options: { store?: Store; blobs?: BlobStore; logger?: pino.Logger } = {}): Promise<RunningServer> {
  if (!config.publicUrl && isWildcardHost(config.host)) {
    throw new Error(`HOST=${config.host} listens on every address: set COFFER_PUBLIC_URL to the URL agents and clients use.`);
  }
  assertConnectionLimits(config);
  const log = options.logger ?? pino({ level: config.logLevel });
  const descriptorWarning = connectionLimitWarning(config.maxConnections);
  if (descriptorWarning) log.warn(descriptorWarning);
  // Storage first: a missing bucket or refused credentials stop the start with one line saying which.
  const blobs = options.blobs ?? openBlobStore(config.storage);
  try {
    await blobs.check();
  } catch (err) {
    if (!options.blobs) await blobs.close();
    throw err;
  }
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, groupCommit: config.groupCommit }));
  const closers: (() => Promise<void> | void)[] = [];
  const events = new EventHub(store);
  let listeningUrl = '';
  const publicBase = () => config.publicUrl ?? listeningUrl;
  const loginLimits = { perAccount: config.loginFailuresPerAccount, perAddress: config.loginFailuresPerAddress, windowSeconds: config.loginWindowSeconds };
  // Several nodes share one count in the database; a single SQLite node keeps it in memory.
  const logins = store.capabilities.sharedAcrossNodes ? new SharedLoginThrottle(store.db, loginLimits) : new LoginThrottle(loginLimits);
  const sightings = new LastSeenWriter(store);
  const ctx: AppContext = { config, store, events, blobs, vaultTraffic: { received: 0, sent: 0 }, log, publicBase, logins, sightings, onClose: (cb) => closers.push(cb) };
  // Closed last: sightings gathered until then are written before the store goes.
  ctx.onClose(() => sightings.flush());
  // Background workers: each start returns its stop, which waits for a pass in flight; `close` calls them in reverse.
  ctx.onClose(startEventPruning(ctx));
  ctx.onClose(startTaskSweeper(ctx));
  ctx.onClose(startAgentLostSweeper(ctx));
  ctx.onClose(startAdmissionRunner(ctx));
  ctx.onClose(startDrillScheduler(ctx, config.drillCheckIntervalSeconds * 1000));
  ctx.onClose(startVerificationScheduler(ctx, config.verificationCheckIntervalSeconds * 1000));
  const app = await buildApp(ctx);
  app.server.maxConnections = config.maxConnections;
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tlsCertFile ? 'https' : 'http'}://${isWildcardHost(config.host) ? '127.0.0.1' : host}:${port}`;
  listeningUrl = url;
  const releasePasswords = holdPasswordPool();
  ctx.onClose(startMissedBackupScheduler(ctx));
  ctx.onClose(startNotifications(ctx));
  return {
    app,
    ctx,
    url,
    /**
     * Drains: stops accepting connections (requests that still arrive on open connections get 503, which agents
     * retry), answers every long poll at once, lets requests in flight finish (up to `drainSeconds`, then cuts
     * them), then stops the workers and closes the store.
     */
    async close() {
      events.close();
      const cutOff = setTimeout(() => {
        log.warn({ drainSeconds: config.drainSeconds }, 'requests still in flight after the drain period: closing their connections');
        app.server.closeAllConnections();
      }, config.drainSeconds * 1000);
      // A keep-alive connection that goes idle after the close began (a long poll just answered) would otherwise be
      // held until the cut-off: close each one as soon as its last response is out.
      const closeIdle = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearTimeout(cutOff);
        clearInterval(closeIdle);
      }
      for (const close of closers.reverse()) await close();
      await releasePasswords();
      if (!options.store) await store.close();
      if (!options.blobs) await blobs.close();
    },
  };
}
