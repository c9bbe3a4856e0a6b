import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { syncRuns } from '../db/schema.js';
import { clip } from '../activities/http/answers.js';
import { formatCounts, formatTime, table } from './output.js';

export type RunRow = typeof syncRuns.$inferSelect;

export async function recentRuns(db: Db, connectionId: string, limit: number): Promise<RunRow[]> {
  return db.select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId)).orderBy(desc(syncRuns.startedAt)).limit(limit);
}

/** id, started, status, trigger, dry-run, counts, message (why it failed, or why it is retrying): one line per run, newest first. */
export function runsTable(runs: readonly RunRow[]): string {
  return table(
    ['run id', 'started', 'status', 'trigger', 'dry run', 'counts', 'message'],
    runs.map((r) => [r.id, formatTime(r.startedAt), r.status, r.trigger, r.dryRun ? 'yes' : 'no', formatCounts(r.counts), clip(r.message ?? '', 160)]),
  );
}
