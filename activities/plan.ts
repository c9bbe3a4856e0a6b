import { Context } from '@temporalio/activity';
import { and, eq, sql } from 'drizzle-orm';
import { conflicts, quarantine, recordLinks, reportLines, snapshots, stagedRecords, syncRuns } from '../db/schema.js';
import { HappyPalUserSchema, type HappyPalUser } from './connectors/happypal/schemas.js';
import { loadRunContext, type Deps } from './deps.js';
import { SOURCE_USERS, TARGET_USERS } from './fetch.js';
import { planRecords, type PlanInput } from './plan-records.js';

export const EMPLOYEES = 'employees';

export interface PlanResult {
  counts: Record<string, number>;
  /** Set when the mass-deactivation guard stopped the run before writing. */
  blockedReason: string | null;
}

export function planActivities(deps: Deps) {
  const { db } = deps.db;
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

      const staged = (dataset: string) =>
        db.select({ sourceId: stagedRecords.sourceId, data: stagedRecords.data }).from(stagedRecords)
          .where(and(eq(stagedRecords.runId, run.id), eq(stagedRecords.dataset, dataset)));
      const scope = (table: typeof recordLinks | typeof snapshots | typeof quarantine) =>
        and(eq(table.connectionId, connection.id), eq(table.dataset, EMPLOYEES));
      const [sources, targetRows, links, snaps, openConflicts] = await Promise.all([
        staged(SOURCE_USERS),
        staged(TARGET_USERS),
        db.select().from(recordLinks).where(scope(recordLinks)),
        db.select().from(snapshots).where(scope(snapshots)),
        db.select().from(conflicts).where(and(eq(conflicts.connectionId, connection.id), eq(conflicts.status, 'open'))),
      ]);
      ctx.heartbeat('loaded');
      const targets: HappyPalUser[] = targetRows.map((row) => HappyPalUserSchema.parse(row.data));
      const planInput: PlanInput = {
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
        confirmDeactivations: input.confirmDeactivations,
      };
      const plan = planRecords(planInput);
      ctx.heartbeat('planned');

      await db.transaction(async (tx) => {
        const rows = plan.lines.map((line, seq) => ({ ...line, runId: run.id, seq, dataset: EMPLOYEES }));
        for (let i = 0; i < rows.length; i += 1000) await tx.insert(reportLines).values(rows.slice(i, i + 1000));
        for (const q of plan.quarantined) {
          await tx.insert(quarantine)
            .values({ connectionId: connection.id, dataset: EMPLOYEES, sourceId: q.sourceId, reasons: q.reasons, lastRunId: run.id })
            .onConflictDoUpdate({
              target: [quarantine.connectionId, quarantine.dataset, quarantine.sourceId],
              set: { reasons: q.reasons, lastRunId: run.id, lastSeenAt: new Date() },
            });
        }
        // Records that pass now leave the quarantine.
        await tx.delete(quarantine).where(and(scope(quarantine), sql`${quarantine.lastRunId} is distinct from ${run.id}`));
        if (plan.blockedReason) {
          await tx.update(syncRuns).set({ message: plan.blockedReason }).where(eq(syncRuns.id, run.id));
          await tx.update(reportLines).set({ outcome: 'skipped' }).where(and(eq(reportLines.runId, run.id), eq(reportLines.outcome, 'planned')));
        }
      });
      deps.logger.info({ runId: run.id, lines: plan.lines.length, blocked: plan.blockedReason !== null }, 'plan written');
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
