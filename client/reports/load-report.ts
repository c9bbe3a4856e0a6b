import type { Db } from '../../db/client.js';
import { allReportLines, findRunWithConnection, reportLinePage, type ReportLineFilter, type ReportLineRow } from '../../db/queries/report.js';
import { UsageError } from '../errors.js';

/** A run report as the renderers take it: plain JSON-able values, no database types. */
export interface ReportRun {
  id: string;
  connection: string;
  target: string;
  workflowId: string;
  trigger: string;
  dryRun: boolean;
  status: string;
  phase: string;
  message: string | null;
  startedAt: string;
  finishedAt: string | null;
  counts: Record<string, number>;
}

export interface ReportChange {
  field: string;
  before: string | null;
  after: string | null;
  /** Lucca's value, when it differs from what the target ended with (a kept edit, a conflict). */
  source?: string | null;
  note?: string;
}

export interface ReportReason {
  code: string;
  field?: string;
  message: string;
}

export interface ReportEntry {
  seq: number;
  dataset: string;
  sourceId: string;
  targetId: string | null;
  action: string;
  also: string[];
  outcome: string;
  changes: ReportChange[];
  reasons: ReportReason[];
  error: string | null;
}

export interface RunReport {
  run: ReportRun;
  lines: ReportEntry[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toChange(raw: unknown): ReportChange {
  const c = (raw ?? {}) as Record<string, unknown>;
  const change: ReportChange = { field: String(c.field ?? '?'), before: str(c.before), after: str(c.after) };
  if (typeof c.note === 'string') change.note = c.note;
  if (c.source !== undefined && str(c.source) !== change.after) change.source = str(c.source);
  return change;
}

function toReason(raw: unknown): ReportReason {
  const r = (raw ?? {}) as Record<string, unknown>;
  const reason: ReportReason = { code: String(r.code ?? 'unknown'), message: String(r.message ?? '') };
  if (typeof r.field === 'string') reason.field = r.field;
  return reason;
}

type LineRow = ReportLineRow;
const toEntry = (row: LineRow): ReportEntry => ({
  seq: row.seq, dataset: row.dataset, sourceId: row.sourceId, targetId: row.targetId, action: row.action,
  also: row.also, outcome: row.outcome, changes: row.changes.map(toChange), reasons: row.reasons.map(toReason), error: row.error,
});

export const isRunId = (value: string) => UUID.test(value);

/** A run's header (no lines). Unknown or malformed ids are the operator's mistake. */
export async function loadRun(db: Db, runId: string): Promise<ReportRun> {
  if (!UUID.test(runId)) throw new UsageError(`"${runId}" is not a run id: run ids look like 3f0c…-…; see \`lucca-sync runs list <connection>\`.`);
  const found = await findRunWithConnection(db, runId);
  if (!found) throw new UsageError(`unknown run ${runId}: see \`lucca-sync runs list <connection>\`.`);
  const { run } = found;
  return {
    id: run.id, connection: found.connection, target: found.target, workflowId: run.workflowId, trigger: run.trigger,
    dryRun: run.dryRun, status: run.status, phase: run.phase, message: run.message,
    startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null, counts: run.counts,
  };
}

/** Loads a run and its report lines (in plan order), whole: for the CLI's renderers. */
export async function loadReport(db: Db, runId: string): Promise<RunReport> {
  const run = await loadRun(db, runId);
  const rows = await allReportLines(db, runId);
  return { run, lines: rows.map(toEntry) };
}

export interface ReportPageQuery extends ReportLineFilter {
  /** Lines after this seq (keyset paging: as fast on the last page of 100,000 lines as on the first). */
  after?: number | undefined;
  limit: number;
  /** Count the matching lines (default true); an export reading page after page skips it. */
  withTotal?: boolean;
}

/** One page of a report's lines, in plan order, with the number of lines matching the filters (-1 when not counted). */
export async function loadReportPage(db: Db, runId: string, query: ReportPageQuery): Promise<{ lines: ReportEntry[]; total: number; next: number | null }> {
  const { rows, total } = await reportLinePage(db, runId, { ...query, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  return { lines: page.map(toEntry), total, next: rows.length > query.limit ? (page.at(-1)?.seq ?? null) : null };
}

/** Lines a person reads: `unchanged` ones are hidden unless asked for. */
export function visibleLines(report: RunReport, includeUnchanged: boolean): ReportEntry[] {
  return includeUnchanged ? report.lines : report.lines.filter((l) => l.action !== 'unchanged');
}

/** Counts by primary action, from the lines themselves (used for the bar and when a run has no counts yet). */
export function actionCounts(lines: readonly ReportEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) counts[line.action] = (counts[line.action] ?? 0) + 1;
  return counts;
}
