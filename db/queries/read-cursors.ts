import { sql as q } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Db } from '../client.js';
import type { UsersCursor, UsersReadPlan } from '../../rules/incremental.js';

type Sql = postgres.Sql | postgres.TransactionSql;

/**
 * A HappyPal connection's incremental-read cursor over Lucca users: one `dataset_cursors` row
 * (dataset `employees`, the same table as Reflect's per-dataset cursors; a connection has one target).
 */
export async function loadUsersCursor(sql: Sql, connectionId: string, dataset: string): Promise<UsersCursor | undefined> {
  // updated_at holds the wall-clock start of the run that last moved the cursor (advanceUsersCursor).
  const [row] = await sql<{ lastSince: string | null; lastFullReadAt: string | null; settingsSeenAt: string | null }[]>`select
    last_since::text as "lastSince", last_full_read_at::text as "lastFullReadAt", updated_at::text as "settingsSeenAt"
    from dataset_cursors where connection_id = ${connectionId}::uuid and dataset = ${dataset}`;
  const date = (text: string | null) => (text === null ? null : new Date(text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')));
  return row && { lastSince: date(row.lastSince), lastFullReadAt: date(row.lastFullReadAt), settingsSeenAt: date(row.settingsSeenAt) };
}

/**
 * Moves the cursor to the instant the run started reading (and the full-read mark after a full
 * read). Called in the transaction that closes a completed run: the cursor never moves past a read
 * whose plan and writes are not committed.
 */
export async function advanceUsersCursor(db: Pick<Db, 'execute'>, input: {
  connectionId: string; dataset: string; runId: string; read: Pick<UsersReadPlan, 'full' | 'readStartedAt'>;
  /** The run's wall-clock start (sync_runs.started_at), kept in updated_at: settings changed after it make the next read full. */
  runStartedAt: Date;
}): Promise<void> {
  const at = new Date(input.read.readStartedAt);
  const full = input.read.full ? at : null;
  await db.execute(q`insert into dataset_cursors (connection_id, dataset, last_since, last_full_read_at, last_run_id, updated_at)
    values (${input.connectionId}::uuid, ${input.dataset}, ${at.toISOString()}::timestamptz, ${full?.toISOString() ?? null}::timestamptz, ${input.runId}::uuid,
      ${input.runStartedAt.toISOString()}::timestamptz)
    on conflict (connection_id, dataset) do update set
      last_since = greatest(dataset_cursors.last_since, excluded.last_since),
      last_full_read_at = coalesce(greatest(dataset_cursors.last_full_read_at, excluded.last_full_read_at), dataset_cursors.last_full_read_at),
      last_run_id = excluded.last_run_id, updated_at = excluded.updated_at`);
}

/**
 * Lucca ids an incremental read re-reads whether or not Lucca changed them: the records the last
 * run could not settle. Quarantined records (listed in every report until fixed), open conflicts and
 * those resolved since the cursor (the resolution is applied by the next run), and, from the last
 * completed run, ambiguous records (their twins must be judged together) and records the target
 * refused or could not hold (error lines: retried).
 */
export async function retryIds(sql: Sql, input: { connectionId: string; dataset: string; since: Date | null }): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select source_id as id from quarantine where connection_id = ${input.connectionId}::uuid and dataset = ${input.dataset}
    union
    select source_id from conflicts where connection_id = ${input.connectionId}::uuid and dataset = ${input.dataset}
      and (status = 'open' or resolved_at >= ${(input.since ?? new Date(0)).toISOString()}::timestamptz)
    union
    select source_id from report_lines where dataset = ${input.dataset} and (outcome = 'failed' or action in ('ambiguous', 'error'))
      and run_id = (select id from sync_runs where connection_id = ${input.connectionId}::uuid and status = 'completed' and not dry_run
        order by started_at desc limit 1)`;
  return rows.map((r) => r.id);
}
