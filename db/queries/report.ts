import { and, asc, count, eq, gt, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbTx } from '../client.js';
import { connections, reportLines, syncRuns } from '../schema.js';

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

export type ReportLineRow = typeof reportLines.$inferSelect;

/** A run with its connection's name and target. */
export async function findRunWithConnection(db: Db, runId: string) {
  const [found] = await db
    .select({ run: syncRuns, connection: connections.name, target: connections.target })
    .from(syncRuns)
    .innerJoin(connections, eq(connections.id, syncRuns.connectionId))
    .where(eq(syncRuns.id, runId));
  return found;
}

/** Every report line of a run, in plan order. */
export async function allReportLines(db: Db, runId: string): Promise<ReportLineRow[]> {
  return db.select().from(reportLines).where(eq(reportLines.runId, runId)).orderBy(asc(reportLines.seq));
}

export interface ReportLineFilter {
  action?: string | undefined;
  /** A Lucca id or a target id (exact), or, unless it is only digits, part of a value in the changes (an email). */
  search?: string | undefined;
  includeUnchanged?: boolean;
}

function lineFilter(runId: string, filter: ReportLineFilter): SQL | undefined {
  const search = filter.search?.trim();
  const like = search ? `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  return and(
    eq(reportLines.runId, runId),
    filter.action ? eq(reportLines.action, filter.action) : filter.includeUnchanged ? undefined : sql`${reportLines.action} <> 'unchanged'`,
    search && like
      ? or(
          eq(reportLines.sourceId, search), eq(reportLines.targetId, search),
          // Digits alone are an id: matching them inside dates and other values would bury the record.
          /^\d+$/.test(search) ? undefined : ilike(sql`${reportLines.changes}::text`, like),
        )
      : undefined,
  );
}

/**
 * Up to `limit` report lines matching the filter after seq `after` (keyset paging: as fast on the
 * last page of 100,000 lines as on the first), in plan order, and how many match (-1 when `withTotal` is false).
 */
export async function reportLinePage(
  db: Db, runId: string, page: ReportLineFilter & { after?: number | undefined; limit: number; withTotal?: boolean },
): Promise<{ rows: ReportLineRow[]; total: number }> {
  const where = lineFilter(runId, page);
  const [rows, [total]] = await Promise.all([
    db.select().from(reportLines)
      .where(page.after === undefined ? where : and(where, gt(reportLines.seq, page.after)))
      .orderBy(asc(reportLines.seq)).limit(page.limit),
    page.withTotal === false ? Promise.resolve([{ n: -1 }]) : db.select({ n: count() }).from(reportLines).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}
