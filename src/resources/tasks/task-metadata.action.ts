import { jsonEqual } from '../../domain/json-patch/index.js';
import { mergeMetadata, MetadataLimitExceededError } from '../../domain/metadata/index.js';
import type { AppContext } from '../../server/context.js';
import { replaceTaskLabels } from './task-labels.store.js';
import { changeTask } from './task-change.js';
import type { Task } from './task.js';
import { metadataLimitError } from '../../errors/v3-catalogue.js';

/**
 * Merges a metadata request into the task's labels and annotations (null deletes, "" is kept, untouched keys stay),
 * so concurrent updates do not lose each other's keys. As in Cloud Controller, a metadata update does not change
 * `updated_at` and records no event.
 */
export async function updateTaskMetadata(ctx: AppContext, taskId: string, request: unknown): Promise<Task> {
  return changeTask<Task>(ctx, taskId, (task) => {
    let merged;
    try {
      merged = mergeMetadata(task.metadata, request);
    } catch (error) {
      if (error instanceof MetadataLimitExceededError) throw metadataLimitError(error);
      throw error;
    }
    if (jsonEqual(merged, task.metadata)) return { write: false, result: task };
    return {
      write: true,
      set: { labels: JSON.stringify(merged.labels), annotations: JSON.stringify(merged.annotations) },
      after: (tx) => replaceTaskLabels(tx, task.id, merged.labels, task.metadata.labels),
      result: (version) => ({ ...task, metadata: merged, version }),
    };
  });
}
