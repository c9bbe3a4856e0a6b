import { Context } from '@temporalio/activity';
import { eq, sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { fieldEvidence, lastVisibility, saveVisibility } from '../../../db/queries/visibility.js';
import { reportLines, syncRuns } from '../../../db/schema.js';
import { HappyPalUserSchema, type HappyPalUser } from './schemas.js';
import { loadRunContext, type ConnectionRow, type Deps } from '../../deps.js';
import { SOURCE_USERS, TARGET_UNREADABLE, TARGET_USERS } from './fetch.js';
import { createPlanner, planChunks, type Link, type PlanInput, type StagedSource, type UnreadableTarget } from './plan-records.js';
import type { UsersReadPlan } from '../../../rules/incremental.js';
import { hiddenFields } from '../../../rules/visibility.js';
import { storedMappings, storedScope } from '../../../rules/connection-config.js';

type SnapshotRow = PlanInput['snapshots'][number];

export const EMPLOYEES = 'employees';

export interface PlanResult {
  counts: Record<string, number>;
  /** Set when the mass-deactivation or the visibility guard stopped the run before writing. */
  blockedReason: string | null;
}

export interface Confirmations {
  confirmDeactivations: boolean;
  /** Optional: workflow histories recorded before the visibility guard lack it. */
  confirmVisibility?: boolean;
  /**
   * The run's read plan. An incremental read (sync/incremental.ts) plans only the people it read:
   * nobody counts as "no longer returned", and the visibility guard neither compares nor records it.
   */
  read?: UsersReadPlan;
}

/** Records planned together: the plan's memory is bounded by this, not by the company's size. */
const CHUNK = 2000;

type Tx = postgres.TransactionSql;

/**
 * `from <listed keys> cross join lateral`, to be followed by a subquery that reads one row by its full
 * primary key (`… = k.id limit 1`). The `limit` keeps Postgres from flattening the subquery into a
 * join it would plan on its row estimates: each key is one index lookup, whatever the statistics say.
 */
function byKeys(tx: Tx, ids: readonly string[]) {
  return tx`from unnest(${tx.array([...ids])}::text[]) as k(id) cross join lateral`;
}

export function planActivities(deps: Deps) {
  const { db } = deps.db;

  /**
   * Plans the run inside one transaction, chunk by chunk (createPlanner): small global indexes first
   * (links, target emails, open conflicts, fetched ids), pass 1 over the sources not linked yet for
   * email claims, then pass 2 over every id in plan order, each chunk loading only its own records,
   * profiles and snapshots and writing its report lines and quarantine rows before the next one is
   * read. At 100,000 employees no more than CHUNK records and their lines are in memory at once.
   *
   * Every query is either a range of one primary key or a lookup of listed keys (byKeys), and set
   * differences are computed here. The rows of a run staged seconds ago are not in Postgres's
   * statistics: it estimates a handful of rows for a new run id, and a plan built on that estimate
   * (a join as a nested loop, `source_id = any(…)` as a filter over the whole run) reads the run's
   * 100,000 rows once per chunk. Both query shapes used here have one sensible plan whatever the
   * estimate.
   */
  async function writePlan(tx: Tx, runId: string, connection: ConnectionRow, confirm: Confirmations): Promise<{ blockedReason: string | null }> {
    const ctx = Context.current();
    const scope = { connectionId: connection.id, dataset: EMPLOYEES };
    const incremental = !!confirm.read && !confirm.read.full;
    const [links, targetEmails, unreadableTargets, openConflicts, fetched, evidence, visibilityBaseline] = await Promise.all([
      tx<Link[]>`select source_id as "sourceId", target_id as "targetId" from record_links
        where connection_id = ${scope.connectionId}::uuid and dataset = ${scope.dataset}`,
      // Unreadable profiles keep their email in the index: whoever they belong to is not given a second profile.
      tx<{ targetId: string; email: string | null }[]>`select source_id as "targetId", data->>'email' as email from staged_records
        where run_id = ${runId}::uuid and dataset in (${TARGET_USERS}, ${TARGET_UNREADABLE})`,
      tx<UnreadableTarget[]>`select source_id as "targetId", data->'problems' as problems from staged_records
        where run_id = ${runId}::uuid and dataset = ${TARGET_UNREADABLE}`,
      tx<{ sourceId: string; field: string }[]>`select source_id as "sourceId", field from conflicts
        where connection_id = ${scope.connectionId}::uuid and status = 'open'`,
      tx<{ id: string }[]>`select source_id as id from staged_records where run_id = ${runId}::uuid and dataset = ${SOURCE_USERS}`
        .then((rows) => rows.map((row) => row.id)),
      // Before the first record: a field hidden run-wide changes every record's decision.
      fieldEvidence(tx, { runId, stagedDataset: SOURCE_USERS, connectionId: scope.connectionId, dataset: scope.dataset }),
      incremental ? Promise.resolve(null) : lastVisibility(tx, scope.connectionId),
    ]);
    const planner = createPlanner({
      connectionId: connection.id, today: deps.today(), links, targetEmails, unreadableTargets, openConflicts,
      defaultPolicy: connection.defaultPolicy, fieldPolicies: connection.fieldPolicies,
      guardPct: connection.deactivationGuardPct, confirmDeactivations: confirm.confirmDeactivations,
      hidden: hiddenFields(evidence), visibilityBaseline, confirmVisibility: !!confirm.confirmVisibility,
      scope: storedScope(connection.scope), mappings: storedMappings(connection.fieldMappings),
    });
    const sourcesOf = (ids: readonly string[]) => tx<StagedSource[]>`select k.id as "sourceId", s.data ${byKeys(tx, ids)}
      (select data from staged_records where run_id = ${runId}::uuid and dataset = ${SOURCE_USERS} and source_id = k.id limit 1) s`;
    ctx.heartbeat('indexed');

    // Pass 1: the sources not linked yet claim their emails (all of them, in a first sync).
    const linked = new Set(links.map((l) => l.sourceId));
    const unlinked = fetched.filter((id) => !linked.has(id));
    for (let i = 0; i < unlinked.length; i += CHUNK) {
      planner.claim(await sourcesOf(unlinked.slice(i, i + CHUNK)));
      ctx.heartbeat('claiming emails');
    }

    // Pass 2: every fetched id, and every linked one Lucca no longer returns, in plan order.
    const fetchedSet = new Set(fetched);
    // Only a full read can tell that Lucca no longer returns someone.
    const missing = incremental ? [] : links.filter((l) => !fetchedSet.has(l.sourceId));
    const chunks = planChunks(fetched, missing, CHUNK);
    let seq = 0;
    for (const ids of chunks) {
      const chunk = planner.match(await sourcesOf(ids.sourceIds), ids.missing);
      const [targets, snapshots] = await Promise.all([
        tx<{ data: unknown }[]>`select s.data ${byKeys(tx, chunk.targetIds)}
          (select data from staged_records where run_id = ${runId}::uuid and dataset = ${TARGET_USERS} and source_id = k.id limit 1) s`
          .then((rows): HappyPalUser[] => rows.map((row) => HappyPalUserSchema.parse(row.data))),
        tx<SnapshotRow[]>`select k.id as "sourceId", s.fields, s.kept, s."targetStatus" ${byKeys(tx, chunk.sourceIds)}
          (select fields, kept, target_status as "targetStatus" from snapshots
            where connection_id = ${scope.connectionId}::uuid and dataset = ${scope.dataset} and source_id = k.id limit 1) s`,
      ]);
      const planned = planner.plan(chunk, targets, snapshots);
      // Rows travel as one JSON parameter per chunk, expanded by Postgres: cheap at 100,000 lines.
      const rows = planned.lines.map((line) => ({ ...line, seq: seq++ }));
      if (rows.length > 0) {
        await tx`insert into report_lines (run_id, seq, dataset, source_id, target_id, action, changes, also, reasons, plan, outcome, error)
          select ${runId}::uuid, x.seq, ${scope.dataset}, x."sourceId", x."targetId", x.action, x.changes, x.also, x.reasons, x.plan, x.outcome, x.error
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            as x(seq int, "sourceId" text, "targetId" text, action text, changes jsonb, also jsonb, reasons jsonb, plan jsonb, outcome text, error text)`;
      }
      if (planned.quarantined.length > 0) {
        await tx`insert into quarantine (connection_id, dataset, source_id, reasons, last_run_id)
          select ${scope.connectionId}::uuid, ${scope.dataset}, x."sourceId", x.reasons, ${runId}::uuid
          from jsonb_to_recordset(${JSON.stringify(planned.quarantined)}::jsonb) as x("sourceId" text, reasons jsonb)
          on conflict (connection_id, dataset, source_id) do update set reasons = excluded.reasons, last_run_id = excluded.last_run_id, last_seen_at = now()`;
      }
      ctx.heartbeat('planning');
    }

    const { blockedReason, visibility, notice } = planner.finish();
    // An incremental read's few records are no baseline for the next run's guard.
    if (!incremental) await saveVisibility(tx, runId, visibility);
    // Records that pass now leave the quarantine.
    await tx`delete from quarantine where connection_id = ${scope.connectionId}::uuid and dataset = ${scope.dataset}
      and last_run_id is distinct from ${runId}::uuid`;
    // The notice becomes the run's message when it completes (finishRun).
    if (notice) await tx`update sync_runs set notice = ${notice} where id = ${runId}::uuid`;
    if (blockedReason) {
      await tx`update sync_runs set message = ${blockedReason} where id = ${runId}::uuid`;
      await tx`update report_lines set outcome = 'skipped' where run_id = ${runId}::uuid and outcome = 'planned'`;
    }
    deps.logger.info({ runId, lines: seq, linked: links.length, chunks: chunks.length, blocked: blockedReason !== null, incremental }, 'plan written');
    return { blockedReason };
  }

  return {
    /**
     * Map → match → three-way check → lifecycle → guard, for every staged record. Writes the plan
     * (report lines) and the quarantine in one transaction, so a retried attempt either finds the
     * whole plan or none of it. Touches no target.
     */
    async planChanges(input: { runId: string } & Confirmations): Promise<PlanResult> {
      const { run, connection } = await loadRunContext(deps, input.runId);
      await db.update(syncRuns).set({ phase: 'plan' }).where(eq(syncRuns.id, run.id));
      const existing = await db.select({ n: sql<number>`count(*)::int` }).from(reportLines).where(eq(reportLines.runId, run.id));
      if ((existing[0]?.n ?? 0) > 0) return summarise(deps, run.id, run.status === 'running' ? run.message : null);
      const { blockedReason } = await deps.db.sql.begin((tx) => writePlan(tx, run.id, connection, input));
      return summarise(deps, run.id, blockedReason);
    },
  };
}

async function summarise(deps: Deps, runId: string, blockedReason: string | null = null): Promise<PlanResult> {
  const rows = await deps.db.db
    .select({ action: reportLines.action, n: sql<number>`count(*)::int` })
    .from(reportLines).where(eq(reportLines.runId, runId)).groupBy(reportLines.action);
  const counts: Record<string, number> = {};
  for (const row of rows) if (row.action !== 'unchanged') counts[`planned_${row.action}`] = row.n;
  return { counts, blockedReason };
}
