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
