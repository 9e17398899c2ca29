/** A mistake in how the command was typed: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The server refused or failed: exit code 1, one line with the server's message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** The server's own words: v2 `{message, errors}` or the v3 envelope `{errors: [{detail, title}]}`. */
export function serverMessage(status: number, body: unknown, fallback: string): string {
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
  return `${fallback} (HTTP ${status})`;
}
