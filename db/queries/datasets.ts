import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { datasetCursors, quarantine, snapshots } from '../schema.js';
import { insertReportLines, type NewReportLine } from './report.js';

/** Reflect's per-dataset SQL: the read cursor, the snapshots a plan compares with, and the plan's rows. */

export type DatasetCursorRow = typeof datasetCursors.$inferSelect;

/** A connection's dataset. */
export interface DatasetScope {
  connectionId: string;
  dataset: string;
}

export async function findDatasetCursor(db: Db, scope: DatasetScope): Promise<DatasetCursorRow | undefined> {
  const [row] = await db.select().from(datasetCursors)
    .where(and(eq(datasetCursors.connectionId, scope.connectionId), eq(datasetCursors.dataset, scope.dataset)));
  return row;
}

/** Moves the dataset's cursor (creates it on the first sync). */
export async function saveDatasetCursor(
  db: Db, scope: DatasetScope, set: Partial<Pick<DatasetCursorRow, 'lastRunId' | 'updatedAt' | 'lastSince' | 'lastFullReadAt'>>,
): Promise<void> {
  await db.insert(datasetCursors).values({ connectionId: scope.connectionId, dataset: scope.dataset, ...set })
    .onConflictDoUpdate({ target: [datasetCursors.connectionId, datasetCursors.dataset], set });
}

/** The fields of every snapshot of the dataset (the base of its diff). */
export async function snapshotFieldsOf(db: Db, scope: DatasetScope): Promise<{ sourceId: string; fields: Record<string, string | null> }[]> {
  return db.select({ sourceId: snapshots.sourceId, fields: snapshots.fields }).from(snapshots)
    .where(and(eq(snapshots.connectionId, scope.connectionId), eq(snapshots.dataset, scope.dataset)));
}

/** The source ids of every snapshot of the dataset (the records we wrote). */
export async function snapshotSourceIds(db: Db, scope: DatasetScope): Promise<string[]> {
  const rows = await db.select({ sourceId: snapshots.sourceId }).from(snapshots)
    .where(and(eq(snapshots.connectionId, scope.connectionId), eq(snapshots.dataset, scope.dataset)));
  return rows.map((r) => r.sourceId);
}

/**
 * The connection's next read of every dataset is full (a scope changed: who is in it is decided
 * again on everyone, not only on the records Lucca modified since the last run).
 */
export async function requireFullRead(db: Db, connectionId: string): Promise<void> {
  await db.update(datasetCursors).set({ lastFullReadAt: null }).where(eq(datasetCursors.connectionId, connectionId));
}

/**
 * A dataset's plan, in one transaction: its report lines, the records quarantined (added, or their
 * reasons updated), and the records that now map cleanly (`okIds`) out of the quarantine.
 */
export async function writeDatasetPlan(
  db: Db, scope: DatasetScope, runId: string,
  plan: { lines: readonly NewReportLine[]; quarantined: ReadonlyArray<{ sourceId: string; reasons: unknown[] }>; okIds: readonly string[] },
): Promise<void> {
  const inScope = and(eq(quarantine.connectionId, scope.connectionId), eq(quarantine.dataset, scope.dataset));
  await db.transaction(async (tx) => {
    await insertReportLines(tx, plan.lines);
    for (const q of plan.quarantined) {
      await tx.insert(quarantine)
        .values({ connectionId: scope.connectionId, dataset: scope.dataset, sourceId: q.sourceId, reasons: q.reasons, lastRunId: runId })
        .onConflictDoUpdate({
          target: [quarantine.connectionId, quarantine.dataset, quarantine.sourceId],
          set: { reasons: q.reasons, lastRunId: runId, lastSeenAt: new Date() },
        });
    }
    // Only the records read leave the quarantine: an incremental read says nothing of the rest.
    const ok = new Set(plan.okIds);
    const held = await tx.select({ sourceId: quarantine.sourceId }).from(quarantine).where(inScope);
    const cleared = held.map((q) => q.sourceId).filter((id) => ok.has(id));
    for (let i = 0; i < cleared.length; i += 1000) {
      await tx.delete(quarantine).where(and(inScope, inArray(quarantine.sourceId, cleared.slice(i, i + 1000))));
    }
  });
}
