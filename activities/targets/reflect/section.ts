import { and, eq, sql } from 'drizzle-orm';
import { reportLines } from '../../../db/schema.js';
import type { Deps } from '../../deps.js';

/** Counts of one report section (one dataset of a run), by action; failed writes count as `error`. */
export async function sectionCounts(deps: Deps, runId: string, dataset: string): Promise<Record<string, number>> {
  const rows = await deps.db.db
    .select({ action: reportLines.action, outcome: reportLines.outcome, n: sql<number>`count(*)::int` })
    .from(reportLines)
    .where(and(eq(reportLines.runId, runId), eq(reportLines.dataset, dataset)))
    .groupBy(reportLines.action, reportLines.outcome);
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const key = row.outcome === 'failed' ? 'error' : row.action;
    counts[key] = (counts[key] ?? 0) + row.n;
  }
  return counts;
}
