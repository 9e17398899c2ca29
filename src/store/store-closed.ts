/**
 * Whether the error says the store was already closed: a request still in flight while the server stops. To the
 * client that is the database being unavailable (503), not a fault (500). kysely says so for a destroyed instance,
 * node:sqlite for a closed file, pg for an ended pool.
 */
export function isStoreClosedError(error: unknown): boolean {
  const message = (error as Error | null)?.message ?? '';
  return /driver has already been destroyed|database is not open|Cannot use a pool after calling end/.test(message);
}
