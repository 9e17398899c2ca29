// The public HTTP API, as the signed-in user. The token lives in sessionStorage: it goes when the tab closes.

const KEY = 'coffer.session';

export class ApiError extends Error {
  constructor(status, message, details = []) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

const RANK = { 'cloudbackup:observer': 1, observer: 1, 'cloudbackup:creator': 2, 'cloudbackup:admin': 3, admin: 3, 'identity:user-admin': 3 };

/** What the signed-in role may do: the console hides the rest (the server refuses it anyway). */
export function may(level) {
  const need = { observer: 1, creator: 2, admin: 3 }[level];
  const rank = Math.max(0, ...(session()?.roles ?? []).map((role) => RANK[role] ?? 0));
  return rank >= need;
}

export async function signIn(username, password, project) {
  const response = await fetch('/v2.0/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ auth: { passwordCredentials: { username, password } } }),
  });
  const body = await readBody(response);
  if (!response.ok) throw toError(response.status, body);
  const access = body.access;
  const value = {
    token: access.token.id,
    expires: access.token.expires,
    project: project || access.token.tenant?.id || '',
    user: access.user.name,
    roles: (access.user.roles ?? []).map((r) => r.name),
  };
  if (!value.project) throw new ApiError(400, 'This user belongs to no project: enter the project to work in.');
  sessionStorage.setItem(KEY, JSON.stringify(value));
  return value;
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toError(status, body) {
  if (body && typeof body.message === 'string') return new ApiError(status, body.message, Array.isArray(body.errors) ? body.errors.filter((e) => typeof e === 'string') : []);
  if (body && Array.isArray(body.errors)) return new ApiError(status, body.errors.map((e) => e.detail ?? e.title).join('; '));
  return new ApiError(status, `The server answered ${status}.`);
}

export const onSignedOut = new EventTarget();

export function v2(...segments) {
  return ['', 'v2', encodeURIComponent(session()?.project ?? ''), ...segments.map(encodeURIComponent)].join('/');
}

export function v3(...segments) {
  return ['', 'v3', ...segments.map(encodeURIComponent)].join('/');
}

/** request('GET', path, {query, body, patch, accept}) → body; throws ApiError with the server's message. */
export async function request(method, path, options = {}) {
  const current = session();
  if (!current) throw new ApiError(401, 'Not signed in.');
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
  const headers = { 'x-auth-token': current.token, accept: 'application/json' };
  let body;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = options.patch ? 'application/json-patch+json' : 'application/json';
  }
  const response = await fetch(url, { method, headers, body, signal: options.signal });
  const parsed = await readBody(response);
  if (response.status === 401) {
    signOut();
    onSignedOut.dispatchEvent(new Event('signedout'));
    throw toError(401, parsed);
  }
  if (!response.ok && !(options.accept ?? []).includes(response.status)) throw toError(response.status, parsed);
  return options.withStatus ? { status: response.status, body: parsed } : parsed;
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });
export const patch = (path, operations) => request('PATCH', path, { body: operations, patch: true });
export const del = (path) => request('DELETE', path);

/** A paged v2 list, following `next` links up to `pages` pages. */
export async function all(collection, path, query = {}, pages = 5) {
  const items = [];
  let marker;
  for (let page = 0; page < pages; page++) {
    const body = await get(path, { query: { ...query, marker, limit: 1000 } });
    const batch = body[collection] ?? [];
    items.push(...batch);
    const next = (body.links ?? []).find((l) => l.rel === 'next');
    if (!next || batch.length === 0) break;
    marker = new URL(next.href).searchParams.get('marker');
  }
  return items;
}
