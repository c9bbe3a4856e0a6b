import type postgres from 'postgres';

/**
 * The plan phase's SQL (HappyPal's employees; the benchmark's baseline reads the same memory of a
 * connection with the same functions): what the connection remembers (links, snapshots, open
 * conflicts), the run's staged records, and the plan's rows (report lines, quarantine).
 */

type Sql = postgres.Sql | postgres.TransactionSql;
type Fields = Record<string, string | null>;

/** A connection's records of one dataset. */
export interface DatasetScope {
  connectionId: string;
  dataset: string;
}

export interface LinkRow { sourceId: string; targetId: string }
export interface SnapshotRow { sourceId: string; fields: Fields; kept: Fields; targetStatus: string | null }

/** Which target record each Lucca record is linked to. */
export function linksOf(sql: Sql, scope: DatasetScope): Promise<LinkRow[]> {
  return sql<LinkRow[]>`select source_id as "sourceId", target_id as "targetId" from record_links
    where connection_id = ${scope.connectionId}::uuid and dataset = ${scope.dataset}`;
}

/** The fields with an open conflict, per record, of every dataset of the connection. */
export function openConflictFields(sql: Sql, connectionId: string): Promise<{ sourceId: string; field: string }[]> {
  return sql<{ sourceId: string; field: string }[]>`select source_id as "sourceId", field from conflicts
    where connection_id = ${connectionId}::uuid and status = 'open'`;
}

/** Every snapshot of the dataset (the baseline's whole-table read; the plan reads them by keys). */
export function snapshotsOf(sql: Sql, scope: DatasetScope): Promise<SnapshotRow[]> {
  return sql<SnapshotRow[]>`select source_id as "sourceId", fields, kept, target_status as "targetStatus" from snapshots
    where connection_id = ${scope.connectionId}::uuid and dataset = ${scope.dataset}`;
}

/**
 * `from <listed keys> cross join lateral`, to be followed by a subquery that reads one row by its full
 * primary key (`… = k.id limit 1`). The `limit` keeps Postgres from flattening the subquery into a
 * join it would plan on its row estimates: each key is one index lookup, whatever the statistics say.
 */
function byKeys(sql: Sql, ids: readonly string[]) {
  return sql`from unnest(${sql.array([...ids])}::text[]) as k(id) cross join lateral`;
}

/** The snapshots of the listed records (one index lookup each). */
export function snapshotsByKeys(sql: Sql, scope: DatasetScope, ids: readonly string[]): Promise<SnapshotRow[]> {
  return sql<SnapshotRow[]>`select k.id as "sourceId", s.fields, s.kept, s."targetStatus" ${byKeys(sql, ids)}
    (select fields, kept, target_status as "targetStatus" from snapshots
      where connection_id = ${scope.connectionId}::uuid and dataset = ${scope.dataset} and source_id = k.id limit 1) s`;
}

/** The ids of a run's staged records of one staged dataset. */
export async function stagedIds(sql: Sql, runId: string, staged: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`select source_id as id from staged_records where run_id = ${runId}::uuid and dataset = ${staged}`;
  return rows.map((row) => row.id);
}

/** The listed staged records (id and data) of one staged dataset; an id not staged comes back with null data. */
export function stagedByKeys(sql: Sql, runId: string, staged: string, ids: readonly string[]): Promise<{ sourceId: string; data: unknown }[]> {
  return sql<{ sourceId: string; data: unknown }[]>`select k.id as "sourceId", s.data ${byKeys(sql, ids)}
    (select data from staged_records where run_id = ${runId}::uuid and dataset = ${staged} and source_id = k.id limit 1) s`;
}

/** Per staged target record of the listed staged datasets: its id and `data->>'email'`. */
export function stagedEmails(sql: Sql, runId: string, staged: readonly string[]): Promise<{ targetId: string; email: string | null }[]> {
  return sql<{ targetId: string; email: string | null }[]>`select source_id as "targetId", data->>'email' as email from staged_records
    where run_id = ${runId}::uuid and dataset = any(${sql.array([...staged])}::text[])`;
}

/** Staged target records set aside at read time: id and `data->'problems'`. */
export function stagedProblems(sql: Sql, runId: string, staged: string): Promise<{ targetId: string; problems: string[] }[]> {
  return sql<{ targetId: string; problems: string[] }[]>`select source_id as "targetId", data->'problems' as problems from staged_records
    where run_id = ${runId}::uuid and dataset = ${staged}`;
}

/** A report line as the plan writes it. */
export interface PlanLineRow {
  seq: number;
  sourceId: string;
  targetId: string | null;
  action: string;
  changes: unknown[];
  also: string[];
  reasons: unknown[];
  plan: unknown;
  outcome: string;
  error: string | null;
}

/** Inserts a chunk of the plan's report lines (one JSON parameter, expanded by Postgres). */
export async function insertPlanLines(sql: Sql, runId: string, dataset: string, rows: readonly PlanLineRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into report_lines (run_id, seq, dataset, source_id, target_id, action, changes, also, reasons, plan, outcome, error)
    select ${runId}::uuid, x.seq, ${dataset}, x."sourceId", x."targetId", x.action, x.changes, x.also, x.reasons, x.plan, x.outcome, x.error
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as x(seq int, "sourceId" text, "targetId" text, action text, changes jsonb, also jsonb, reasons jsonb, plan jsonb, outcome text, error text)`;
}

/** Records that could not be synced this run: added to the quarantine, or their reasons and last run updated. */
export async function quarantineRecords(
  sql: Sql, scope: DatasetScope, runId: string, rows: ReadonlyArray<{ sourceId: string; reasons: unknown[] }>,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into quarantine (connection_id, dataset, source_id, reasons, last_run_id)
    select ${scope.connectionId}::uuid, ${scope.dataset}, x."sourceId", x.reasons, ${runId}::uuid
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x("sourceId" text, reasons jsonb)
    on conflict (connection_id, dataset, source_id) do update set reasons = excluded.reasons, last_run_id = excluded.last_run_id, last_seen_at = now()`;
}

/** Records not quarantined again by this run leave the quarantine. */
export async function releaseQuarantine(sql: Sql, scope: DatasetScope, runId: string): Promise<void> {
  await sql`delete from quarantine where connection_id = ${scope.connectionId}::uuid and dataset = ${scope.dataset}
    and last_run_id is distinct from ${runId}::uuid`;
}

/** What the plan noticed (values the key could not see): the run's message when it completes. */
export async function setRunNotice(sql: Sql, runId: string, notice: string): Promise<void> {
  await sql`update sync_runs set notice = ${notice} where id = ${runId}::uuid`;
}

/** A guard stopped the run before writing: its message says why, and no planned line will be written. */
export async function blockRunPlan(sql: Sql, runId: string, reason: string): Promise<void> {
  await sql`update sync_runs set message = ${reason} where id = ${runId}::uuid`;
  await sql`update report_lines set outcome = 'skipped' where run_id = ${runId}::uuid and outcome = 'planned'`;
}

/** Per staged source of a run: its id, the target record it is linked to (if any) and `data->>'mail'` (an incremental read's targeted lookups). */
export function stagedSourcesWithLinks(
  sql: Sql, runId: string, staged: string, scope: DatasetScope,
): Promise<{ sourceId: string; targetId: string | null; email: string | null }[]> {
  return sql<{ sourceId: string; targetId: string | null; email: string | null }[]>`
    select s.source_id as "sourceId", l.target_id as "targetId", s.data->>'mail' as email
    from staged_records s left join record_links l
      on l.connection_id = ${scope.connectionId}::uuid and l.dataset = ${scope.dataset} and l.source_id = s.source_id
    where s.run_id = ${runId}::uuid and s.dataset = ${staged}`;
}

/** How many records of the dataset are linked to a target record. */
export async function countLinks(sql: Sql, scope: DatasetScope): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from record_links
    where connection_id = ${scope.connectionId}::uuid and dataset = ${scope.dataset}`;
  return row?.n ?? 0;
}
