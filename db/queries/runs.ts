import { and, eq, like } from 'drizzle-orm';
import type { Db } from '../client.js';
import { syncRuns } from '../schema.js';

/** The prefix of a running run's message while one of its activities retries. */
export const RETRYING_PREFIX = 'retrying: ';
const MAX_MESSAGE = 500;

/** A running run says why it is retrying (`retrying: <last error>`); a finished run's message is never touched. */
export async function noteRunRetrying(db: Db, runId: string, error: string): Promise<void> {
  const message = `${RETRYING_PREFIX}${error}`.slice(0, MAX_MESSAGE);
  await db.update(syncRuns).set({ message }).where(and(eq(syncRuns.id, runId), eq(syncRuns.status, 'running')));
}

/** An activity succeeded after a retry: the running run's `retrying:` note goes away. */
export async function clearRunRetrying(db: Db, runId: string): Promise<void> {
  await db.update(syncRuns).set({ message: null })
    .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, 'running'), like(syncRuns.message, `${RETRYING_PREFIX}%`)));
}

/** The error a running run last retried on (its `retrying:` note without the prefix), if any. */
export async function lastRetryNote(db: Db, runId: string): Promise<string | undefined> {
  const [row] = await db.select({ message: syncRuns.message }).from(syncRuns).where(eq(syncRuns.id, runId));
  return row?.message?.startsWith(RETRYING_PREFIX) ? row.message.slice(RETRYING_PREFIX.length) : undefined;
}
