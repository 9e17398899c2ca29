import { jsonEqual } from '../../domain/json-patch/index.js';
import { mergeMetadata, MetadataLimitExceededError } from '../../domain/metadata/index.js';
import { conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { replaceTaskLabels } from './task-labels.store.js';
import { lockTask } from './task-lock.js';
import type { Task } from './task.js';
import { metadataLimitError } from './v3-errors.js';

const MAX_ATTEMPTS = 8;

/**
 * Merges a metadata request into the task's labels and annotations (null deletes, "" is kept, untouched keys stay)
 * with compare-and-set on the task's version, so concurrent updates do not lose each other's keys. As in Cloud
 * Controller, a metadata update does not change `updated_at` and records no event.
 */
export async function updateTaskMetadata(ctx: AppContext, taskId: string, request: unknown): Promise<Task> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const outcome = await ctx.store.transaction(async (tx) => {
      const task = await lockTask(tx, taskId);
      let merged;
      try {
        merged = mergeMetadata(task.metadata, request);
      } catch (error) {
        if (error instanceof MetadataLimitExceededError) throw metadataLimitError(error);
        throw error;
      }
      if (jsonEqual(merged, task.metadata)) return task;
      const updated = await tx.db
        .updateTable('tasks')
        .set({ labels: JSON.stringify(merged.labels), annotations: JSON.stringify(merged.annotations), version_no: task.version + 1 })
        .where('id', '=', task.id)
        .where('version_no', '=', task.version)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return undefined;
      await replaceTaskLabels(tx, task.id, merged.labels, task.metadata.labels);
      return { ...task, metadata: merged, version: task.version + 1 };
    });
    if (outcome) return outcome;
  }
  throw conflict('The task is being changed by several writers at once; try again.');
}
