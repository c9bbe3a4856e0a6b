import { reportLineCounts } from '../../../db/queries/report.js';
import type { Deps } from '../../deps.js';

/** Counts of one report section (one dataset of a run), by action; failed writes count as `error`. */
export async function sectionCounts(deps: Deps, runId: string, dataset: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const row of await reportLineCounts(deps.db.db, runId, dataset)) {
    const key = row.outcome === 'failed' ? 'error' : row.action;
    counts[key] = (counts[key] ?? 0) + row.n;
  }
  return counts;
}
