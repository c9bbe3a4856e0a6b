import { and, asc, eq, inArray, sql as drizzleSql } from 'drizzle-orm';
import type { Db, DbHandle, DbTx } from '../client.js';
import { stagedRecords } from '../schema.js';

/** A record as read and staged: its id at the source and its body as sent. The one staged-row type. */
export type StagedRow = Pick<typeof stagedRecords.$inferSelect, 'sourceId' | 'data'>;

const STAGE_CHUNK = 1000;

/**
 * Stores one page of rows; a row already staged for (run, dataset, id) is kept as it is. The rows travel
 * as one JSON parameter, expanded by Postgres: about three times cheaper than a multi-row insert with
 * five bound parameters per row (dev/bench/FINDINGS.md), and the largest cost of a no-op resync.
 */
export async function stageRows(db: DbHandle, runId: string, dataset: string, page: number, rows: readonly StagedRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += STAGE_CHUNK) {
    const chunk = rows.slice(i, i + STAGE_CHUNK).map((r) => ({ s: r.sourceId, d: r.data }));
    if (chunk.length === 0) continue;
    await db.sql`insert into staged_records (run_id, dataset, page, source_id, data)
      select ${runId}::uuid, ${dataset}, ${page}::int, e->>'s', e->'d' from jsonb_array_elements(${JSON.stringify(chunk)}::jsonb) as e
      on conflict do nothing`;
  }
}

/** A run's staged rows of the listed staged datasets, in read order (dataset, page, id). */
export async function stagedRowsOf(db: Db, runId: string, datasets: readonly string[]): Promise<Array<StagedRow & { dataset: string }>> {
  return db.select({ dataset: stagedRecords.dataset, sourceId: stagedRecords.sourceId, data: stagedRecords.data })
    .from(stagedRecords)
    .where(and(eq(stagedRecords.runId, runId), inArray(stagedRecords.dataset, [...datasets])))
    .orderBy(asc(stagedRecords.dataset), asc(stagedRecords.page), asc(stagedRecords.sourceId));
}

/**
 * Deletes the staged rows of the connection's finished runs other than `keepRunId` (what Lucca sent
 * is personal data: each connection keeps one read, its latest).
 */
export async function purgeStagedRows(db: Db | DbTx, connectionId: string, keepRunId: string): Promise<void> {
  await db.execute(drizzleSql`delete from staged_records where run_id in (
    select id from sync_runs where connection_id = ${connectionId} and id <> ${keepRunId} and finished_at is not null)`);
}

/** Every Lucca record a run read (HappyPal stages `lucca-users`; Reflect also leaves, claims and pay items). */
export async function countStagedRead(db: Db, runId: string): Promise<number> {
  const [row] = await db.execute<{ n: number }>(drizzleSql`select count(*)::int as n from staged_records where run_id = ${runId} and dataset like 'lucca-%'`);
  return row?.n ?? 0;
}
