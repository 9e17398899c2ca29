import type { Urls } from '../../server/links.js';
import type { Job } from './job.js';

/** What each agent-reported error type means, added by the server to `…/errors` lists. */
const ERROR_TYPE_DESCRIPTIONS: Record<string, string> = {
  file_or_folder_missing: 'The item was found during the search but was missing when we tried to back it up.',
  file_missing_blocks: 'A vault validation determined that the specified file is missing blocks.',
  phx_exception: 'The agent experience a problem (Phoenix).',
  access_denied: 'The agent was not allowed to read or write the item.',
  file_changed: 'The item changed while it was being backed up.',
  write_failed: 'The agent could not write the item.',
  read_failed: 'The agent could not read the item.',
};

export function errorTypeDescription(type: unknown): string {
  return typeof type === 'string' ? (ERROR_TYPE_DESCRIPTIONS[type] ?? '') : '';
}

/** The summary embedded in a job representation. */
export function presentErrorSummary(job: Pick<Job, 'errors' | 'kind' | 'id'>, urls: Urls) {
  return {
    count: job.errors.count,
    reason: job.errors.reason,
    diagnostics: job.errors.diagnostics,
    links: [urls.link('full', `${job.kind}s`, job.id, 'errors')],
  };
}

/** `GET …/{job}/errors`: the full list, each entry with its server-side description. */
export function presentErrorList(job: Job, urls: Urls) {
  return {
    count: job.errors.count,
    reason: job.errors.reason,
    diagnostics: job.errors.diagnostics,
    list: job.errors.list.map((entry, index) => {
      const item = (entry ?? {}) as Record<string, unknown>;
      return {
        index: item.index ?? index,
        path: item.path ?? null,
        type: item.type ?? null,
        description: errorTypeDescription(item.type),
        exception: item.exception ?? null,
      };
    }),
    links: [urls.link('self', `${job.kind}s`, job.id, 'errors')],
  };
}
