import { Context } from '@temporalio/activity';
import { and, eq, sql } from 'drizzle-orm';
import { quarantine, reportLines, syncRuns } from '../db/schema.js';
import { HappyPalUserSchema, type HappyPalUser } from './connectors/happypal/schemas.js';
import { loadRunContext, type ConnectionRow, type Deps } from './deps.js';
import { SOURCE_USERS, TARGET_USERS } from './fetch.js';
import { planRecords, type Plan, type PlanInput } from './plan-records.js';

export const EMPLOYEES = 'employees';

export interface PlanResult {
  counts: Record<string, number>;
  /** Set when the mass-deactivation guard stopped the run before writing. */
  blockedReason: string | null;
}

export function planActivities(deps: Deps) {
  const { db } = deps.db;

  /**
   * Loads what the planner reads, and only that (no unused columns, no ORM mapping of 200,000
   * rows), then plans. Kept in its own function so that every input is garbage once the plan exists:
   * the worker's peak memory is set here.
   */
  async function buildPlan(runId: string, connection: ConnectionRow, confirmDeactivations: boolean): Promise<Plan> {
    const ctx = Context.current();
    const pg = deps.db.sql;
    const [sources, targets, links, snaps, openConflicts] = await Promise.all([
      pg<{ sourceId: string; data: unknown }[]>`select source_id as "sourceId", data from staged_records
        where run_id = ${runId}::uuid and dataset = ${SOURCE_USERS}`,
      // Parsed as they arrive, so the raw rows do not outlive this line.
      pg<{ data: unknown }[]>`select data from staged_records where run_id = ${runId}::uuid and dataset = ${TARGET_USERS}`
        .then((rows): HappyPalUser[] => rows.map((row) => HappyPalUserSchema.parse(row.data))),
      pg<{ sourceId: string; targetId: string }[]>`select source_id as "sourceId", target_id as "targetId" from record_links
        where connection_id = ${connection.id}::uuid and dataset = ${EMPLOYEES}`,
      pg<PlanInput['snapshots']>`select source_id as "sourceId", fields, kept, target_status as "targetStatus" from snapshots
        where connection_id = ${connection.id}::uuid and dataset = ${EMPLOYEES}`,
      pg<{ sourceId: string; field: string }[]>`select source_id as "sourceId", field from conflicts
        where connection_id = ${connection.id}::uuid and status = 'open'`,
    ]);
    ctx.heartbeat('loaded');
    return planRecords({
      connectionId: connection.id,
      today: deps.today(),
      sources,
      targets,
      links,
      snapshots: snaps,
      openConflicts,
      defaultPolicy: connection.defaultPolicy,
      fieldPolicies: connection.fieldPolicies,
      guardPct: connection.deactivationGuardPct,
      confirmDeactivations,
    });
  }

  return {
    /**
     * Map → match → three-way check → lifecycle → guard, for every staged record. Writes the plan
     * (report lines) and the quarantine in one transaction, so a retried attempt either finds the
     * whole plan or none of it. Touches no target.
     */
    async planChanges(input: { runId: string; confirmDeactivations: boolean }): Promise<PlanResult> {
      const ctx = Context.current();
      const { run, connection } = await loadRunContext(deps, input.runId);
      await db.update(syncRuns).set({ phase: 'plan' }).where(eq(syncRuns.id, run.id));
      const existing = await db.select({ n: sql<number>`count(*)::int` }).from(reportLines).where(eq(reportLines.runId, run.id));
      if ((existing[0]?.n ?? 0) > 0) return summarise(deps, run.id, run.status === 'running' ? run.message : null);

      const plan = await buildPlan(run.id, connection, input.confirmDeactivations);
      const lineCount = plan.lines.length;
      ctx.heartbeat('planned');

      const scope = (table: typeof quarantine) => and(eq(table.connectionId, connection.id), eq(table.dataset, EMPLOYEES));
      await db.transaction(async (tx) => {
        // Rows travel as one JSON parameter per chunk, expanded by Postgres: cheap at 100,000 lines.
        // Each chunk leaves memory once written (splice), so the lines are not held twice at the peak.
        for (let i = 0; plan.lines.length > 0; i += 1000) {
          const chunk = plan.lines.splice(0, 1000).map((line, j) => ({ ...line, seq: i + j }));
          await tx.execute(sql`insert into report_lines (run_id, seq, dataset, source_id, target_id, action, changes, also, reasons, plan, outcome, error)
            select ${run.id}::uuid, x.seq, ${EMPLOYEES}, x."sourceId", x."targetId", x.action, x.changes, x.also, x.reasons, x.plan, x.outcome, x.error
            from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb)
              as x(seq int, "sourceId" text, "targetId" text, action text, changes jsonb, also jsonb, reasons jsonb, plan jsonb, outcome text, error text)`);
          ctx.heartbeat('writing the plan');
        }
        for (let i = 0; i < plan.quarantined.length; i += 1000) {
          const chunk = plan.quarantined.slice(i, i + 1000);
          await tx.execute(sql`insert into quarantine (connection_id, dataset, source_id, reasons, last_run_id)
            select ${connection.id}::uuid, ${EMPLOYEES}, x."sourceId", x.reasons, ${run.id}::uuid
            from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as x("sourceId" text, reasons jsonb)
            on conflict (connection_id, dataset, source_id) do update set reasons = excluded.reasons, last_run_id = excluded.last_run_id, last_seen_at = now()`);
        }
        // Records that pass now leave the quarantine.
        await tx.delete(quarantine).where(and(scope(quarantine), sql`${quarantine.lastRunId} is distinct from ${run.id}`));
        if (plan.blockedReason) {
          await tx.update(syncRuns).set({ message: plan.blockedReason }).where(eq(syncRuns.id, run.id));
          await tx.update(reportLines).set({ outcome: 'skipped' }).where(and(eq(reportLines.runId, run.id), eq(reportLines.outcome, 'planned')));
        }
      });
      deps.logger.info({ runId: run.id, lines: lineCount, blocked: plan.blockedReason !== null }, 'plan written');
      return summarise(deps, run.id, plan.blockedReason);
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
