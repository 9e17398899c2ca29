/**
 * A request the server refused or failed (its HTTP status), or one that got no answer at all (status 0). The one
 * error of the CLI's and the agent's HTTP clients: `message` is the line people read, `serverMessage` the server's
 * own words from the error body ('' when it gave none).
 */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly serverMessage = '',
  ) {
    super(message);
  }

  /** `PATCH /v2/1/backups/2: HTTP 409 …`: the request and the answer, as the agent logs them. */
  static forRequest(method: string, url: string, status: number, body: unknown): ApiError {
    const words = serverWords(body) ?? '';
    return new ApiError(status, `${method} ${new URL(url).pathname}: HTTP ${status}${words ? ` ${words}` : ''}`, words);
  }
}

/** An answer's body as read: JSON when it parses, else the text; undefined when empty. */
export function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The server's own words in an error body: the v2 `{message, errors}` or the v3 envelope `{errors: [{detail,
 * title}]}`, or a short plain text; undefined when there are none (an empty body, a long page from a proxy).
 */
export function serverWords(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const record = body as { message?: unknown; errors?: unknown };
    if (typeof record.message === 'string') {
      const details = Array.isArray(record.errors) ? record.errors.filter((e): e is string => typeof e === 'string') : [];
      return details.length > 0 ? `${record.message} ${details.join(' ')}` : record.message;
    }
    if (Array.isArray(record.errors)) {
      const texts = record.errors.map((e: { detail?: unknown; title?: unknown }) => (typeof e?.detail === 'string' ? e.detail : String(e?.title ?? ''))).filter(Boolean);
      if (texts.length > 0) return texts.join('; ');
    }
  }
  if (typeof body === 'string' && body.trim() !== '' && body.length < 300) return body.trim();
  return undefined;
}
