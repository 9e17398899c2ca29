/** The server answered a request with an error status that retrying will not change (or retries ran out). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly url: string,
    readonly serverMessage: string,
  ) {
    super(`${method} ${new URL(url).pathname}: HTTP ${status}${serverMessage ? ` ${serverMessage}` : ''}`);
    this.name = 'ApiError';
  }
}

export function serverMessageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: { detail?: unknown }[] };
    if (typeof body.message === 'string') return body.message;
    if (Array.isArray(body.errors) && typeof body.errors[0]?.detail === 'string') return body.errors[0].detail;
  } catch {
    // plain text
  }
  return text.slice(0, 300);
}
