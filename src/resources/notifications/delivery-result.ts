/** What one attempt to deliver came to. `retry`: try again later (5xx, timeout, unreachable); `failed`: never will. */
export interface AttemptResult {
  outcome: 'delivered' | 'retry' | 'failed';
  statusCode: number | null;
  error: string | null;
}

export const delivered = (statusCode: number | null): AttemptResult => ({ outcome: 'delivered', statusCode, error: null });
export const retry = (error: string, statusCode: number | null = null): AttemptResult => ({ outcome: 'retry', statusCode, error });
export const failed = (error: string, statusCode: number | null = null): AttemptResult => ({ outcome: 'failed', statusCode, error });
