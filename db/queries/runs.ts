import { and, eq, like, sql } from 'drizzle-orm';
import type { Db, DbTx } from '../client.js';
import { connections, syncRuns } from '../schema.js';
import { purgeStagedRows } from './staging.js';

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

export interface RunClaim {
  connectionId: string;
  workflowId: string;
  trigger: string;
  dryRun: boolean;
}

export type RunRow = typeof syncRuns.$inferSelect;

/** A Postgres unique violation of `constraint`, whether drizzle wrapped the driver's error or not. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  for (let e = err as { code?: string; constraint_name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505' && e.constraint_name === constraint) return true;
  }
  return false;
}

export async function findRun(db: Db, runId: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return row;
}

export async function findRunByWorkflowId(db: Db, workflowId: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.workflowId, workflowId));
  return row;
}

export async function findRunningRun(db: Db, connectionId: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(syncRuns).where(and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.status, 'running')));
  return row;
}

/**
 * Inserts the running row of a run. Returns 'busy' when another run of the connection holds the
 * running row (the unique index sync_runs_one_running_idx), the row otherwise; a row already there
 * for this workflow id (a retried start) is returned as it is.
 */
export async function insertRunningRun(db: Db, claim: RunClaim): Promise<RunRow | 'busy'> {
  try {
    const [row] = await db.insert(syncRuns).values(claim).onConflictDoNothing({ target: syncRuns.workflowId }).returning();
    return row ?? (await findRunByWorkflowId(db, claim.workflowId)) ?? 'busy';
  } catch (err) {
    if (isUniqueViolation(err, 'sync_runs_one_running_idx')) return 'busy';
    throw err;
  }
}

/** Closes a running row whose workflow is gone (terminated, lost): it no longer holds the connection. */
export async function closeAbandonedRun(db: Db, runId: string, now: Date): Promise<void> {
  await db
    .update(syncRuns)
    .set({
      status: 'failed', failureCode: 'abandoned', phase: 'done', finishedAt: now,
      message: 'The run stopped without closing (its workflow was terminated or lost).',
    })
    .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, 'running')));
}

/** Gives back a lock taken for a workflow that could not be started (nothing ran under it). */
export async function releaseUnstartedRun(db: Db, runId: string): Promise<void> {
  await db.delete(syncRuns).where(and(eq(syncRuns.id, runId), eq(syncRuns.status, 'running'), eq(syncRuns.phase, 'starting')));
}

/** The run's row says which phase it is in. */
export async function setRunPhase(db: Db, runId: string, phase: string): Promise<void> {
  await db.update(syncRuns).set({ phase }).where(eq(syncRuns.id, runId));
}

/** The run read every page of its source (a retried fetch activity starts none again). */
export async function markFetchComplete(db: Db, runId: string): Promise<void> {
  await db.update(syncRuns).set({ fetchComplete: true }).where(eq(syncRuns.id, runId));
}

export async function findRunById(db: Db, runId: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return row;
}

/**
 * Closes a run: its status, counts and message (null on a completed run: the plan's notice, if
 * any), phase `done`. With `purgeOthers`, the records the connection's other finished runs read are
 * deleted in the same transaction. Returns the row, or undefined when there is no such run.
 */
export async function closeRun(
  db: Db, runId: string,
  close: {
    status: RunRow['status']; counts: Record<string, number>; message: string | null; failureCode: string | null; purgeOthers: boolean;
    /** More to do in the same transaction, before the purge (the read cursor moves with a completed run). */
    inTransaction?: (tx: DbTx, row: RunRow) => Promise<void>;
  },
): Promise<RunRow | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(syncRuns)
      .set({
        status: close.status, counts: close.counts, phase: 'done', finishedAt: new Date(),
        // A completed run without a message of its own says what the plan noticed (values the key could not see).
        message: close.status === 'completed' && close.message === null ? sql`${syncRuns.notice}` : close.message,
        failureCode: close.failureCode,
      })
      .where(eq(syncRuns.id, runId))
      .returning();
    if (row && close.inTransaction) await close.inTransaction(tx, row);
    if (row && close.purgeOthers) await purgeStagedRows(tx, row.connectionId, row.id);
    return row;
  });
}

/** The target of a run's connection (the connector its dataset steps dispatch to); undefined for an unknown run. */
export async function targetOfRun(db: Db, runId: string): Promise<string | undefined> {
  const [row] = await db.select({ target: connections.target }).from(syncRuns)
    .innerJoin(connections, eq(connections.id, syncRuns.connectionId)).where(eq(syncRuns.id, runId));
  return row?.target;
}
