import type { ApiClient } from './api-client.js';
import type { WorkKind } from '../../domain/job-states.js';
import { watchJob } from './job-watch.js';
import { paintJobState, printJson, printLine } from './output.js';

/** After starting a job: print it (or its JSON), then follow it with --watch and set the exit code from its end. */
export async function reportStartedJob(client: ApiClient, kind: WorkKind, job: any, options: { json: boolean; watch?: boolean }): Promise<void> {
  const id = kind === 'task' ? job.guid : job.id;
  if (options.json) {
    if (!options.watch) return printJson(job);
    const { code, job: finished } = await watchJob(client, kind, id, { quiet: true });
    printJson(finished);
    process.exitCode = code;
    return;
  }
  printLine(`Started ${kind} ${id} (${paintJobState(job)}).`);
  if (!options.watch) return printLine(`Follow it with: coffer watch ${id}`);
  const { code } = await watchJob(client, kind, id);
  process.exitCode = code;
}
