import { and, asc, eq } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Db } from '../client.js';
import { plannedOnly, reportLines } from '../schema.js';

/**
 * The write phase's SQL: the planned lines it takes, and the commit of what the target answered
 * (links, snapshots, conflicts and the lines' outcomes, in one transaction). Rows travel as one JSON
 * parameter expanded by Postgres: a batch of 1,000 lines costs a handful of round trips, not five per
 * line. The product's activities and the benchmark's baseline call the same functions.
 */

type Sql = postgres.Sql | postgres.TransactionSql;

/** Which records a commit is about: a connection's dataset, in a run. */
export interface WriteScope {
  connectionId: string;
  dataset: string;
  runId: string;
}

/** The columns of a planned report line that the write phase reads (not the report's diffs, the largest part of a line). */
export type PlannedLineRow = Pick<typeof reportLines.$inferSelect, 'seq' | 'sourceId' | 'targetId' | 'action' | 'also' | 'plan' | 'writeTries'>;

/** Up to `limit` planned lines of a run (of one dataset, if given), in plan order. */
export async function plannedLines(db: Db, runId: string, options: { dataset?: string; limit: number }): Promise<PlannedLineRow[]> {
  return db.select({
    seq: reportLines.seq, sourceId: reportLines.sourceId, targetId: reportLines.targetId,
    action: reportLines.action, also: reportLines.also, plan: reportLines.plan, writeTries: reportLines.writeTries,
  }).from(reportLines)
    .where(and(eq(reportLines.runId, runId), options.dataset === undefined ? undefined : eq(reportLines.dataset, options.dataset), plannedOnly))
    .orderBy(asc(reportLines.seq)).limit(options.limit);
}

/** What the commit of a written record stores (the plan's `commit`). */
export interface RecordCommit {
  link: boolean;
  snapshot: Record<string, string | null> | null;
  kept: Record<string, string | null>;
  status: string | null;
  openConflicts: ReadonlyArray<{ field: string; base: string | null; source: string | null; target: string | null }>;
  closeConflicts: readonly string[];
}

/** A record the target wrote: its line, its profile's id, and what to store. */
export interface WrittenRecord {
  seq: number;
  sourceId: string;
  targetId: string;
  commit: RecordCommit;
}

/** A line the target refused (422/409…): reported `error`, its planned actions kept in `also`. */
export interface RefusedLine {
  seq: number;
  action: string;
  also: readonly string[];
  message: string;
}

const json = (rows: unknown[]) => JSON.stringify(rows);

/**
 * The commit of a batch of written records: links, snapshots (the new base, or the target status
 * only), conflicts opened and closed, then the lines applied and refused, in ONE transaction, so a
 * line is marked applied only together with its link and snapshot.
 */
export async function commitWrittenRecords(
  sql: postgres.Sql, scope: WriteScope, written: readonly WrittenRecord[], refused: readonly RefusedLine[],
): Promise<void> {
  if (written.length === 0 && refused.length === 0) return;
  const { connectionId, dataset, runId } = scope;
  const links = written.filter((w) => w.commit.link).map((w) => ({ s: w.sourceId, t: w.targetId }));
  const snaps = written.filter((w) => w.commit.snapshot)
    .map((w) => ({ s: w.sourceId, f: w.commit.snapshot, k: w.commit.kept, st: w.commit.status }));
  const statusOnly = written.filter((w) => !w.commit.snapshot && w.commit.status).map((w) => ({ s: w.sourceId, st: w.commit.status }));
  const opened = written.flatMap((w) => w.commit.openConflicts.map((f) => ({
    s: w.sourceId, t: w.targetId, field: f.field, b: f.base, src: f.source, tgt: f.target,
  })));
  const closed = written.flatMap((w) => w.commit.closeConflicts.map((field) => ({ s: w.sourceId, field })));
  await sql.begin(async (tx) => {
    if (links.length > 0) {
      await tx`insert into record_links (connection_id, dataset, source_id, target_id)
        select ${connectionId}::uuid, ${dataset}, x.s, x.t from jsonb_to_recordset(${json(links)}::jsonb) as x(s text, t text)
        on conflict (connection_id, dataset, source_id) do update set target_id = excluded.target_id`;
    }
    if (snaps.length > 0) {
      await tx`insert into snapshots (connection_id, dataset, source_id, fields, kept, target_status, run_id, updated_at)
        select ${connectionId}::uuid, ${dataset}, x.s, x.f, x.k, x.st, ${runId}::uuid, now()
        from jsonb_to_recordset(${json(snaps)}::jsonb) as x(s text, f jsonb, k jsonb, st text)
        on conflict (connection_id, dataset, source_id) do update set fields = excluded.fields, kept = excluded.kept,
          target_status = excluded.target_status, run_id = excluded.run_id, updated_at = excluded.updated_at`;
    }
    if (statusOnly.length > 0) {
      await tx`update snapshots sn set target_status = x.st, run_id = ${runId}::uuid, updated_at = now()
        from jsonb_to_recordset(${json(statusOnly)}::jsonb) as x(s text, st text)
        where sn.connection_id = ${connectionId}::uuid and sn.dataset = ${dataset} and sn.source_id = x.s`;
    }
    if (opened.length > 0) {
      await tx`insert into conflicts (connection_id, dataset, source_id, target_id, field, base_value, source_value, target_value, opened_run_id, last_seen_run_id)
        select ${connectionId}::uuid, ${dataset}, x.s, x.t, x.field, x.b, x.src, x.tgt, ${runId}::uuid, ${runId}::uuid
        from jsonb_to_recordset(${json(opened)}::jsonb) as x(s text, t text, field text, b text, src text, tgt text)
        on conflict (connection_id, dataset, source_id, field) where status = 'open'
        do update set source_value = excluded.source_value, target_value = excluded.target_value, last_seen_run_id = excluded.last_seen_run_id`;
    }
    if (closed.length > 0) {
      await tx`update conflicts c set status = 'resolved', resolution = 'converged', resolved_at = now()
        from jsonb_to_recordset(${json(closed)}::jsonb) as x(s text, field text)
        where c.connection_id = ${connectionId}::uuid and c.source_id = x.s and c.status = 'open' and c.field = x.field`;
    }
    await markLinesApplied(tx, runId, written.map((w) => ({ seq: w.seq, targetId: w.targetId })));
    await markLinesRefused(tx, runId, refused);
  });
}

/** Lines written: outcome `applied`, with the target record's id. */
export async function markLinesApplied(sql: Sql, runId: string, lines: ReadonlyArray<{ seq: number; targetId: string }>): Promise<void> {
  if (lines.length === 0) return;
  const rows = lines.map((l) => ({ seq: l.seq, t: l.targetId }));
  await sql`update report_lines r set outcome = 'applied', target_id = x.t
    from jsonb_to_recordset(${json(rows)}::jsonb) as x(seq int, t text)
    where r.run_id = ${runId}::uuid and r.seq = x.seq`;
}

/** Lines the target refused: outcome `failed`, action `error`, the planned actions kept in `also`. */
export async function markLinesRefused(sql: Sql, runId: string, lines: readonly RefusedLine[]): Promise<void> {
  if (lines.length === 0) return;
  const rows = lines.map((l) => ({ seq: l.seq, e: l.message, a: [l.action, ...l.also] }));
  await sql`update report_lines r set outcome = 'failed', error = x.e, also = x.a, action = 'error'
    from jsonb_to_recordset(${json(rows)}::jsonb) as x(seq int, e text, a jsonb)
    where r.run_id = ${runId}::uuid and r.seq = x.seq`;
}

/**
 * Counts one write try on each listed line still planned; a line reaching `maxTries` is failed like a
 * refused one (action `error`, its action kept in `also`, `error` its message). One statement.
 * Returns how many lines it failed.
 */
export async function countWriteTries(
  sql: Sql, runId: string, lines: ReadonlyArray<{ seq: number; message: string }>, maxTries: number,
): Promise<number> {
  if (lines.length === 0) return 0;
  const rows = json(lines.map((l) => ({ seq: l.seq, e: l.message })));
  const updated = await sql<{ outcome: string }[]>`update report_lines r set write_tries = r.write_tries + 1,
      outcome = case when r.write_tries + 1 >= ${maxTries} then 'failed' else r.outcome end,
      action = case when r.write_tries + 1 >= ${maxTries} then 'error' else r.action end,
      also = case when r.write_tries + 1 >= ${maxTries} then jsonb_build_array(r.action) || r.also else r.also end,
      error = case when r.write_tries + 1 >= ${maxTries} then x.e else r.error end
    from jsonb_to_recordset(${rows}::jsonb) as x(seq int, e text)
    where r.run_id = ${runId}::uuid and r.seq = x.seq and r.outcome = 'planned'
    returning r.outcome`;
  return updated.filter((r) => r.outcome === 'failed').length;
}

/**
 * Reflect's commit of one batch: the snapshots of the records upserted (the new base) or deleted,
 * the lines applied (Reflect keys records by our id: the target id is the source id) and refused, in
 * one transaction.
 */
export async function commitDatasetBatch(
  sql: postgres.Sql, scope: WriteScope, op: 'upsert' | 'delete',
  applied: ReadonlyArray<{ seq: number; sourceId: string; fields: Record<string, unknown> }>, refused: readonly RefusedLine[],
): Promise<void> {
  const { connectionId, dataset, runId } = scope;
  await sql.begin(async (tx) => {
    if (op === 'delete' && applied.length > 0) {
      await tx`delete from snapshots where connection_id = ${connectionId}::uuid and dataset = ${dataset}
        and source_id = any(${tx.array(applied.map((l) => l.sourceId))}::text[])`;
    }
    if (op === 'upsert' && applied.length > 0) {
      const rows = applied.map((l) => ({ s: l.sourceId, f: l.fields }));
      await tx`insert into snapshots (connection_id, dataset, source_id, fields, target_status, run_id, updated_at)
        select ${connectionId}::uuid, ${dataset}, x.s, x.f, 'active', ${runId}::uuid, now()
        from jsonb_to_recordset(${json(rows)}::jsonb) as x(s text, f jsonb)
        on conflict (connection_id, dataset, source_id) do update set fields = excluded.fields, run_id = excluded.run_id, updated_at = excluded.updated_at`;
    }
    await markLinesApplied(tx, runId, applied.map((l) => ({ seq: l.seq, targetId: l.sourceId })));
    await markLinesRefused(tx, runId, refused);
  });
}

