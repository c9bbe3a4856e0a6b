import type { RunRow } from '../db/queries/runs.js';
import { clip } from '../activities/http/answers.js';
import { formatCounts, formatTime, table } from './output.js';

/** id, started, status, trigger, dry-run, counts, message (why it failed, or why it is retrying): one line per run, newest first. */
export function runsTable(runs: readonly RunRow[]): string {
  return table(
    ['run id', 'started', 'status', 'trigger', 'dry run', 'counts', 'message'],
    runs.map((r) => [r.id, formatTime(r.startedAt), r.status, r.trigger, r.dryRun ? 'yes' : 'no', formatCounts(r.counts), clip(r.message ?? '', 160)]),
  );
}
