import pino from 'pino';
import { loadServerConfig, type ServerConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { createTestDatabase, type TestDatabase } from './test-store.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Raw body text, sent as is. */
  raw?: string;
  headers?: Record<string, string>;
  contentType?: string;
}

export interface TestServer {
  url: string;
  server: RunningServer;
  database: TestDatabase;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/** The real app over real HTTP on a fresh database of the run's engine. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const config = loadServerConfig({}, { host: '127.0.0.1', port: 0, dataDir: database.dataDir, databaseUrl: database.databaseUrl, adminToken: ADMIN_TOKEN, logLevel: 'silent', ...overrides });
  const store = await database.open();
  const server = await startServer(config, { store, logger: pino({ level: 'silent' }) });
  const request = async <T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers['x-auth-token'] = options.token ?? ADMIN_TOKEN;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };
  return {
    url: server.url,
    server,
    database,
    request,
    async close() {
      await server.close();
      await store.close();
      await database.drop();
    },
  };
}
