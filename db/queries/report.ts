import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbTx } from '../client.js';
import { reportLines } from '../schema.js';

/** A run's report lines (of one dataset, if given) counted by dataset, action and outcome. */
export async function reportLineCounts(db: Db, runId: string, dataset?: string): Promise<{ dataset: string; action: string; outcome: string; n: number }[]> {
  return db
    .select({ dataset: reportLines.dataset, action: reportLines.action, outcome: reportLines.outcome, n: sql<number>`count(*)::int` })
    .from(reportLines)
    .where(and(eq(reportLines.runId, runId), dataset === undefined ? undefined : eq(reportLines.dataset, dataset)))
    .groupBy(reportLines.dataset, reportLines.action, reportLines.outcome);
}

/** How many report lines a run has (of one dataset, if given): 0 until its plan is written. */
export async function reportLineTotal(db: Db, runId: string, dataset?: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(reportLines)
    .where(and(eq(reportLines.runId, runId), dataset === undefined ? undefined : eq(reportLines.dataset, dataset)));
  return row?.n ?? 0;
}

/** The error of a dataset's report line with this action (a sentinel line, e.g. `visibility_blocked`), if there is one. */
export async function reportLineError(db: Db, runId: string, dataset: string, action: string): Promise<{ error: string | null } | undefined> {
  const [row] = await db.select({ error: reportLines.error }).from(reportLines)
    .where(and(eq(reportLines.runId, runId), eq(reportLines.dataset, dataset), eq(reportLines.action, action)));
  return row;
}

export type NewReportLine = typeof reportLines.$inferInsert;

/** Inserts report lines, 1,000 a statement; a line already there (same run and seq) is left as it is when `once`. */
export async function insertReportLines(db: Db | DbTx, values: readonly NewReportLine[], options: { once?: boolean } = {}): Promise<void> {
  for (let i = 0; i < values.length; i += 1000) {
    const insert = db.insert(reportLines).values(values.slice(i, i + 1000));
    await (options.once ? insert.onConflictDoNothing() : insert);
  }
}
