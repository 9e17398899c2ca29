import { sql } from 'kysely';
import type { AppContext } from '../../server/context.js';

/** How much of a task's output the server keeps: the last 1 MiB. */
export const MAX_KEPT_OUTPUT_BYTES = 1024 * 1024;

/** The last `limit` bytes of `text`, cut at a character boundary. */
export function keepTail(text: string, limit = MAX_KEPT_OUTPUT_BYTES): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return text;
  let start = bytes.length - limit;
  while (start < bytes.length && (bytes.readUInt8(start) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('utf8');
}

/**
 * Appends a chunk the agent sent. The append is one UPDATE (`output || chunk`), so concurrent chunks serialise on
 * the row; the kept text is then trimmed to its last 1 MiB. `updated_at` is the task's state time and stays.
 */
export async function appendTaskOutput(ctx: AppContext, taskId: string, chunk: string): Promise<void> {
  if (chunk === '') return;
  const size = Buffer.byteLength(chunk, 'utf8');
  await ctx.store.transaction(async (tx) => {
    await tx.db
      .updateTable('tasks')
      .set({ output: sql<string>`output || ${chunk}`, output_bytes: sql<number>`output_bytes + ${size}` })
      .where('id', '=', taskId)
      .execute();
    const row = await tx.db.selectFrom('tasks').select('output').where('id', '=', taskId).executeTakeFirstOrThrow();
    const kept = keepTail(row.output);
    if (kept !== row.output) await tx.db.updateTable('tasks').set({ output: kept }).where('id', '=', taskId).execute();
  });
}

export async function readTaskOutput(ctx: AppContext, taskId: string): Promise<{ output: string; totalBytes: number }> {
  const row = await ctx.store.db.selectFrom('tasks').select(['output', 'output_bytes']).where('id', '=', taskId).executeTakeFirstOrThrow();
  return { output: row.output, totalBytes: Number(row.output_bytes) };
}
