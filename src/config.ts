import path from 'node:path';
import { parsePublicUrl } from './server/links.js';
import { parseStorageUrl, type StorageLocation } from './storage/storage-url.js';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Where vault files and log files live (COFFER_STORAGE_URL): the data directory, or S3-compatible storage. */
  storage: StorageLocation;
  /** postgres://… selects PostgreSQL; absent means the embedded SQLite file under dataDir. */
  databaseUrl: string | undefined;
  /** Accepted as a global admin token when set (for automation). */
  adminToken: string | undefined;
  /** Base URL of every absolute link (required behind a proxy or on a wildcard address); else the listening address. */
  publicUrl: string | undefined;
  tokenTtlSeconds: number;
  logLevel: string;
  /** Longest time an event long poll is held open. */
  maxLongPollSeconds: number;
  /** A client must send its request headers within this long of its first byte (408 and closed otherwise). */
  headersTimeoutSeconds: number;
  /** A client must send its whole request (headers and body) within this long; more than maxLongPollSeconds. */
  requestTimeoutSeconds: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutSeconds: number;
  /** Connections open at once; more are refused (closed at once) until some end. */
  maxConnections: number;
  /** A PENDING task older than this fails as expired. */
  taskPendingExpirySeconds: number;
  /** How long events are kept. */
  eventRetentionSeconds: number;
  /** Failed logins per account and per client address within loginWindowSeconds before 429. */
  loginFailuresPerAccount: number;
  loginFailuresPerAddress: number;
  loginWindowSeconds: number;
  /** Proxies whose X-Forwarded-For names the client (addresses or CIDRs); none by default. */
  trustedProxies: string[];
  /** SQLite: commit several requests' transactions with one fsync. */
  groupCommit: boolean;
  /** On SIGTERM, how long requests in flight may take to finish before their connections are cut. */
  drainSeconds: number;
  /** Idle agents are asked for a heartbeat this often; they count as online while heard within three of these. */
  idleHeartbeatSeconds: number;
  /** A job still running whose agent was not heard from for this long ends failed with reason agent_lost. */
  agentLostSeconds: number;
  /** HTTPS: PEM certificate (chain) and private key files; both or neither. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** smtp://user:pass@host:587 or smtps://…; absent means no e-mail is sent. */
  smtpUrl: string | undefined;
  /** The From address of notification e-mails. */
  mailFrom: string;
  /** First retry of a failed delivery after this long; each next retry waits twice as long (at most an hour). */
  deliveryRetryBaseMs: number;
  /** A delivery still failing this long after it was decided is given up. */
  deliveryMaxAgeSeconds: number;
  /** One SMTP or webhook attempt may take this long. */
  deliveryTimeoutMs: number;
  /** How often the delivery worker looks for due work without being woken. */
  deliveryPollMs: number;
  /** Backups running at once across every project of this server (each project has its own limit too). */
  maxRunningBackups: number;
  /** How often each node looks for queued backups that may start, beside being woken when a job ends. */
  admissionPollMs: number;
  /** How often the server starts due restore drills and fails runs past their timeout. */
  drillCheckIntervalSeconds: number;
  /** How often the server looks for verification schedules that are due (COFFER_VERIFICATION_CHECK_SECONDS, default 15). */
  verificationCheckIntervalSeconds: number;
  /** How long saving or starting a drill waits for its agent to say whether the scratch folder is empty. */
  drillTargetCheckMs: number;
  /** How often each node looks for agents gone or back and for summary e-mails due (COFFER_ALERT_CHECK_SECONDS). */
  alertCheckMs: number;
  /** /metrics reads its database-backed gauges at most this often (COFFER_METRICS_CACHE_SECONDS, default 5 s). */
  metricsCacheMs: number;
  /** When set, /metrics answers only to `Authorization: Bearer <this>` (its gauges name projects, agents and configurations). */
  metricsToken: string | undefined;
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  if (Boolean(env.COFFER_TLS_CERT) !== Boolean(env.COFFER_TLS_KEY)) throw new Error('COFFER_TLS_CERT and COFFER_TLS_KEY go together: give both files, or neither for plain HTTP');
  const dataDir = path.resolve(overrides.dataDir ?? (env.COFFER_DATA_DIR || 'data'));
  return {
    host: env.HOST || '127.0.0.1',
    port: intFrom(env.PORT, 8080, 'PORT'),
    dataDir,
    storage: parseStorageUrl(env.COFFER_STORAGE_URL, dataDir),
    databaseUrl: env.DATABASE_URL || undefined,
    adminToken: env.COFFER_ADMIN_TOKEN || undefined,
    publicUrl: env.COFFER_PUBLIC_URL ? parsePublicUrl(env.COFFER_PUBLIC_URL) : undefined,
    tokenTtlSeconds: intFrom(env.COFFER_TOKEN_TTL_SECONDS, 24 * 3600, 'COFFER_TOKEN_TTL_SECONDS'),
    logLevel: env.LOG_LEVEL || 'info',
    maxLongPollSeconds: intFrom(env.COFFER_MAX_LONG_POLL_SECONDS, 60, 'COFFER_MAX_LONG_POLL_SECONDS'),
    headersTimeoutSeconds: intFrom(env.COFFER_HEADERS_TIMEOUT_SECONDS, 20, 'COFFER_HEADERS_TIMEOUT_SECONDS'),
    requestTimeoutSeconds: intFrom(env.COFFER_REQUEST_TIMEOUT_SECONDS, 300, 'COFFER_REQUEST_TIMEOUT_SECONDS'),
    keepAliveTimeoutSeconds: intFrom(env.COFFER_KEEP_ALIVE_TIMEOUT_SECONDS, 5, 'COFFER_KEEP_ALIVE_TIMEOUT_SECONDS'),
    maxConnections: intFrom(env.COFFER_MAX_CONNECTIONS, 10_000, 'COFFER_MAX_CONNECTIONS'),
    taskPendingExpirySeconds: intFrom(env.COFFER_TASK_PENDING_EXPIRY_SECONDS, 300, 'COFFER_TASK_PENDING_EXPIRY_SECONDS'),
    eventRetentionSeconds: intFrom(env.COFFER_EVENT_RETENTION_SECONDS, 7 * 24 * 3600, 'COFFER_EVENT_RETENTION_SECONDS'),
    groupCommit: env.COFFER_GROUP_COMMIT !== '0',
    drainSeconds: intFrom(env.COFFER_DRAIN_SECONDS, 30, 'COFFER_DRAIN_SECONDS'),
    idleHeartbeatSeconds: Math.max(1, intFrom(env.COFFER_AGENT_HEARTBEAT_SECONDS, 300, 'COFFER_AGENT_HEARTBEAT_SECONDS')),
    agentLostSeconds: intFrom(env.COFFER_AGENT_LOST_SECONDS, 600, 'COFFER_AGENT_LOST_SECONDS'),
    tlsCertFile: env.COFFER_TLS_CERT ? path.resolve(env.COFFER_TLS_CERT) : undefined,
    tlsKeyFile: env.COFFER_TLS_KEY ? path.resolve(env.COFFER_TLS_KEY) : undefined,
    smtpUrl: env.COFFER_SMTP_URL || undefined,
    mailFrom: env.COFFER_MAIL_FROM || 'coffer@localhost',
    deliveryRetryBaseMs: intFrom(env.COFFER_DELIVERY_RETRY_BASE_MS, 30_000, 'COFFER_DELIVERY_RETRY_BASE_MS'),
    deliveryMaxAgeSeconds: intFrom(env.COFFER_DELIVERY_MAX_AGE_SECONDS, 24 * 3600, 'COFFER_DELIVERY_MAX_AGE_SECONDS'),
    deliveryTimeoutMs: intFrom(env.COFFER_DELIVERY_TIMEOUT_MS, 10_000, 'COFFER_DELIVERY_TIMEOUT_MS'),
    deliveryPollMs: intFrom(env.COFFER_DELIVERY_POLL_MS, 5_000, 'COFFER_DELIVERY_POLL_MS'),
    maxRunningBackups: Math.max(1, intFrom(env.COFFER_MAX_RUNNING_BACKUPS, 50, 'COFFER_MAX_RUNNING_BACKUPS')),
    admissionPollMs: Math.max(100, intFrom(env.COFFER_ADMISSION_POLL_MS, 5_000, 'COFFER_ADMISSION_POLL_MS')),
    drillCheckIntervalSeconds: Math.max(1, intFrom(env.COFFER_DRILL_CHECK_SECONDS, 15, 'COFFER_DRILL_CHECK_SECONDS')),
    verificationCheckIntervalSeconds: Math.max(1, intFrom(env.COFFER_VERIFICATION_CHECK_SECONDS, 15, 'COFFER_VERIFICATION_CHECK_SECONDS')),
    drillTargetCheckMs: intFrom(env.COFFER_DRILL_TARGET_CHECK_MS, 3_000, 'COFFER_DRILL_TARGET_CHECK_MS'),
    alertCheckMs: 1000 * Math.max(1, intFrom(env.COFFER_ALERT_CHECK_SECONDS, 60, 'COFFER_ALERT_CHECK_SECONDS')),
    metricsToken: env.COFFER_METRICS_TOKEN || undefined,
    metricsCacheMs: 1000 * intFrom(env.COFFER_METRICS_CACHE_SECONDS, 5, 'COFFER_METRICS_CACHE_SECONDS'),
    loginFailuresPerAccount: intFrom(env.COFFER_LOGIN_FAILURES_PER_ACCOUNT, 10, 'COFFER_LOGIN_FAILURES_PER_ACCOUNT'),
    loginFailuresPerAddress: intFrom(env.COFFER_LOGIN_FAILURES_PER_ADDRESS, 100, 'COFFER_LOGIN_FAILURES_PER_ADDRESS'),
    trustedProxies: (env.COFFER_TRUSTED_PROXIES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    loginWindowSeconds: intFrom(env.COFFER_LOGIN_WINDOW_SECONDS, 300, 'COFFER_LOGIN_WINDOW_SECONDS'),
    ...overrides,
  };
}
