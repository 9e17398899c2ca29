import type { Readable } from 'node:stream';
import { conflict, notFound } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import type { Logfile } from './logfile.js';
import { logfileBlobPath, removeLogfileBlob, writeLogfileBlob } from './logfile-blob.js';
import { LogfileState } from '../../domain/job-states.js';

/** Stores the agent's upload and records it; a log file deleted meanwhile leaves no blob behind. */
export async function uploadLogfileContent(ctx: AppContext, logfile: Logfile, body: Readable): Promise<void> {
  if (logfile.state === LogfileState.completed) throw conflict('The log file is completed; it cannot be uploaded again.');
  const relative = logfileBlobPath(logfile.agentId, logfile.id);
  const size = await writeLogfileBlob(ctx.blobs, relative, body);
  const updated = await ctx.store.db
    .updateTable('logfiles')
    .set({ blob_path: relative, blob_size: size, version_no: logfile.version + 1 })
    .where('id', '=', logfile.id)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    await removeLogfileBlob(ctx.blobs, relative);
    throw notFound('Log file not found.');
  }
}

/** Deletes the record, then its blob. */
export async function deleteLogfile(ctx: AppContext, logfile: Logfile): Promise<void> {
  await ctx.store.db.deleteFrom('logfiles').where('id', '=', logfile.id).execute();
  await removeLogfileBlob(ctx.blobs, logfile.blobPath);
}
