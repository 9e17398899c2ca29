import type { AppError } from './app-error.js';

/** The Cloud Backup v2 error body: `{"message": …}` plus `errors` for validation failures. */
export function v2ErrorBody(error: AppError): { message: string; errors?: string[] } {
  return error.details.length > 0 ? { message: error.message, errors: error.details } : { message: error.message };
}
