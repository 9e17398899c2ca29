import fs from 'node:fs';
import type { ServerConfig } from '../config.js';

type Limits = Pick<ServerConfig, 'headersTimeoutSeconds' | 'requestTimeoutSeconds' | 'keepAliveTimeoutSeconds' | 'maxConnections' | 'maxLongPollSeconds'>;

/**
 * How long a client may take to send its headers and its whole request, how long an idle keep-alive connection stays,
 * and how many connections are open at once. A client trickling its headers byte by byte (slowloris) is answered 408
 * and dropped once `headersTimeoutSeconds` have passed since its first byte; the check runs every second.
 * The request timeout covers receiving the request only (a long poll's wait is not counted), but it must still exceed
 * the longest long poll so that nothing an agent legitimately holds open is ever cut.
 */
export function assertConnectionLimits(limits: Limits): void {
  if (limits.headersTimeoutSeconds < 1) throw new Error('COFFER_HEADERS_TIMEOUT_SECONDS must be at least 1');
  if (limits.requestTimeoutSeconds <= limits.headersTimeoutSeconds) {
    throw new Error(`COFFER_REQUEST_TIMEOUT_SECONDS (${limits.requestTimeoutSeconds}) must be more than COFFER_HEADERS_TIMEOUT_SECONDS (${limits.headersTimeoutSeconds})`);
  }
  if (limits.requestTimeoutSeconds <= limits.maxLongPollSeconds) {
    throw new Error(`COFFER_REQUEST_TIMEOUT_SECONDS (${limits.requestTimeoutSeconds}) must be more than COFFER_MAX_LONG_POLL_SECONDS (${limits.maxLongPollSeconds})`);
  }
  if (limits.maxConnections < 1) throw new Error('COFFER_MAX_CONNECTIONS must be at least 1');
}

/** Options of node's http(s).createServer, passed through Fastify. */
export function httpServerOptions(limits: Limits) {
  return {
    headersTimeout: limits.headersTimeoutSeconds * 1000,
    requestTimeout: limits.requestTimeoutSeconds * 1000,
    keepAliveTimeout: limits.keepAliveTimeoutSeconds * 1000,
    // Node checks the two timeouts above every 30 s by default: a slow client would be held up to 30 s too long.
    connectionsCheckingInterval: 1000,
  };
}

/** Descriptors the server needs besides its connections: database, vault and log files, workers, listeners. */
const OTHER_DESCRIPTORS = 256;

/** This process's limit on open files (Linux: from /proc/self/limits); undefined where it cannot be read or is unlimited. */
export function openFilesLimit(limitsText = readProcLimits()): number | undefined {
  const line = limitsText?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft === undefined || !/^\d+$/.test(soft) ? undefined : Number(soft);
}

function readProcLimits(): string | undefined {
  try {
    return fs.readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A warning when COFFER_MAX_CONNECTIONS cannot be reached because the process may not open that many files: past
 * the limit, new connections (agents' long polls among them) fail to be accepted instead of being refused cleanly.
 */
export function connectionLimitWarning(maxConnections: number, limit = openFilesLimit()): string | undefined {
  if (limit === undefined || maxConnections + OTHER_DESCRIPTORS <= limit) return undefined;
  return `COFFER_MAX_CONNECTIONS is ${maxConnections} but this process may open only ${limit} files: raise the limit (ulimit -n, LimitNOFILE=) above ${maxConnections + OTHER_DESCRIPTORS}, or lower COFFER_MAX_CONNECTIONS`;
}
