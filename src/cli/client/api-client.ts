import { describeNetworkFailure } from '../../net/network-failure.js';
import { ApiError, parseBody, serverWords } from '../../net/api-error.js';
import { sendWithToken, type TokenSource } from '../../net/token-refresh.js';
import { UsageError } from './errors.js';
import { passwordFor } from './prompt.js';
import { readSession, writeSession, type Session } from './session-store.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** `application/json` unless said otherwise (JSON Patch uses application/json-patch+json). */
  contentType?: string;
  /** Statuses returned to the caller instead of thrown. */
  accept?: number[];
  /** Return the body as text. */
  text?: boolean;
  signal?: AbortSignal;
}

/** POST /v2.0/tokens: a session for `user` at `api`. */
export async function logIn(api: string, user: string, password: string): Promise<Session> {
  const base = api.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/v2.0/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ auth: { passwordCredentials: { username: user, password } } }),
    });
  } catch (error) {
    throw new ApiError(0, `cannot reach ${base}: ${describeNetworkFailure(error)}`);
  }
  const body = parseBody(await response.text());
  if (!response.ok) throw refusal(response.status, body, 'login failed');
  const access = (body as { access: { token: { id: string; expires: string; tenant?: { id?: string } }; user: { name: string; roles: { name: string }[] } } }).access;
  return {
    api: base,
    user: access.user.name ?? user,
    project: access.token.tenant?.id ?? '',
    token: access.token.id,
    expires: access.token.expires,
    roles: (access.user.roles ?? []).map((role) => role.name),
  };
}

/** An error answer as one line: the server's own words, else what failed and the status. */
function refusal(status: number, body: unknown, what: string): ApiError {
  const words = serverWords(body);
  return new ApiError(status, words ?? `${what} (HTTP ${status})`, words);
}

/** The public HTTP API as the signed-in user; logs in again when the token has expired. */
export class ApiClient {
  /** The session's token, renewed when it has expired or the server refused it. */
  private readonly tokens: TokenSource = {
    token: async () => {
      if (this.expired()) await this.renew();
      return this.session.token;
    },
    refresh: async (refused) => {
      if (this.session.token === refused) await this.renew();
      return this.session.token;
    },
  };

  constructor(private session: Session) {}

  static fromStoredSession(): ApiClient {
    const session = readSession();
    if (!session) throw new UsageError('not logged in; run: coffer login --api URL --user NAME');
    return new ApiClient(session);
  }

  get current(): Session {
    return this.session;
  }

  get base(): string {
    return this.session.api;
  }

  /** `/v2/{project}/…` path for the signed-in project; a session without one (a global administrator) is told how to pick one. */
  v2(...segments: string[]): string {
    if (!this.session.project) throw new UsageError(`${this.session.user || 'this user'} belongs to no project; pick one with: coffer login --project ID`);
    return ['', 'v2', encodeURIComponent(this.session.project), ...segments.map(encodeURIComponent)].join('/');
  }

  v3(...segments: string[]): string {
    return ['', 'v3', ...segments.map(encodeURIComponent)].join('/');
  }

  get<T = any>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = any>(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  /** RFC 6902 JSON Patch, as the v2 API takes it. */
  patch(path: string, operations: { op: string; path: string; value?: unknown }[]): Promise<ApiResponse> {
    return this.request('PATCH', path, { body: operations, contentType: 'application/json-patch+json' });
  }

  delete(path: string): Promise<ApiResponse> {
    return this.request('DELETE', path);
  }

  /** Follows an absolute link the API handed out (e.g. a log file's download URL). */
  async fetchRaw(url: string): Promise<Response> {
    return this.send('GET', url.startsWith('http') ? url : `${this.base}${url}`, {}, this.session.token);
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = this.url(path, options.query);
    const response = await sendWithToken(this.tokens, (token) => this.send(method, url, options, token));
    const text = await response.text();
    if (!response.ok && !(options.accept ?? []).includes(response.status)) throw refusal(response.status, parseBody(text), `${method} ${path} failed`);
    return { status: response.status, headers: response.headers, body: (options.text ? text : parseBody(text)) as T };
  }

  private url(path: string, query: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== false) params.set(key, String(value));
    const search = params.toString();
    return `${this.base}${path}${search ? `?${search}` : ''}`;
  }

  private async send(method: string, url: string, options: RequestOptions, token: string): Promise<Response> {
    const headers: Record<string, string> = { 'x-auth-token': token, accept: 'application/json' };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    try {
      return await fetch(url, { method, headers, body: payload, signal: options.signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, `cannot reach ${this.base}: ${describeNetworkFailure(error)}`);
    }
  }

  private expired(): boolean {
    return this.session.expires !== '' && Date.parse(this.session.expires) <= Date.now();
  }

  /** The token expired: ask for the password again (COFFER_PASSWORD or the terminal) and keep the new token. */
  private async renew(): Promise<void> {
    if (!this.session.user) throw new ApiError(401, 'the session has expired; run coffer login again');
    if (!process.env.COFFER_PASSWORD && process.stdin.isTTY) process.stderr.write(`The session of ${this.session.user} at ${this.session.api} has expired.\n`);
    let password: string;
    try {
      password = await passwordFor(this.session.user);
    } catch {
      throw new ApiError(401, 'the session has expired; run coffer login again (or set COFFER_PASSWORD)');
    }
    const project = this.session.project;
    this.session = { ...(await logIn(this.session.api, this.session.user, password)), project };
    writeSession(this.session);
  }
}
