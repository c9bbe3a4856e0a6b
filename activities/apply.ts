import { Context } from '@temporalio/activity';
import { and, asc, eq, sql } from 'drizzle-orm';
import { conflicts, recordLinks, reportLines, snapshots, syncRuns } from '../db/schema.js';
import type { RecordRejection, WriteResult } from './connectors/happypal/client.js';
import { loadRunContext, type Deps, type RunContext } from './deps.js';
import { EMPLOYEES } from './plan.js';
import { PlannedWriteSchema, type PlannedWrite } from './plan-model.js';
import { idempotencyKey } from './sync/idempotency.js';

const CONCURRENCY = 16;
type Line = typeof reportLines.$inferSelect;

export function applyActivities(deps: Deps) {
  const { db } = deps.db;

  /** Writes one line to the target, each call with its idempotency key; returns the target id or the rejection. */
  async function write(ctx: RunContext, line: Line, plan: PlannedWrite): Promise<{ targetId: string } | RecordRejection> {
    const key = (operation: string, content: unknown) =>
      idempotencyKey({ connectionId: ctx.connection.id, sourceId: line.sourceId, runId: ctx.run.id, operation, content });
    let targetId = line.targetId;
    const step = async (result: Promise<WriteResult>) => {
      const r = await result;
      if (r.ok) targetId = r.user.id;
      return r;
    };
    if (plan.create) {
      const r = await step(ctx.happypal.createUser(plan.create as never, key('create', plan.create)));
      if (!r.ok) return r;
    }
    if (plan.update && targetId) {
      const r = await step(ctx.happypal.updateUser(targetId, plan.update as never, key('update', plan.update)));
      if (!r.ok) return r;
    }
    if (plan.lifecycle && targetId) {
      const call = plan.lifecycle === 'deactivate' ? ctx.happypal.deactivateUser : ctx.happypal.reactivateUser;
      const r = await step(call(targetId, key(plan.lifecycle, targetId)));
      if (!r.ok) return r;
    }
    if (!targetId) throw new Error('A planned write has no target profile.');
    return { targetId };
  }

  /** The line's database commit: link, snapshot (the new base), conflicts, outcome, in one transaction. */
  async function commit(ctx: RunContext, line: Line, plan: PlannedWrite, targetId: string) {
    const { commit: c } = plan;
    const key = { connectionId: ctx.connection.id, dataset: EMPLOYEES, sourceId: line.sourceId };
    await db.transaction(async (tx) => {
      if (c.link) await tx.insert(recordLinks).values({ ...key, targetId }).onConflictDoUpdate({ target: [recordLinks.connectionId, recordLinks.dataset, recordLinks.sourceId], set: { targetId } });
      if (c.snapshot) {
        const set = { fields: c.snapshot, kept: c.kept, targetStatus: c.status, runId: ctx.run.id, updatedAt: new Date() };
        await tx.insert(snapshots).values({ ...key, ...set }).onConflictDoUpdate({ target: [snapshots.connectionId, snapshots.dataset, snapshots.sourceId], set });
      } else if (c.status) {
        await tx.update(snapshots).set({ targetStatus: c.status, runId: ctx.run.id, updatedAt: new Date() })
          .where(and(eq(snapshots.connectionId, key.connectionId), eq(snapshots.dataset, EMPLOYEES), eq(snapshots.sourceId, key.sourceId)));
      }
      for (const f of c.openConflicts) {
        await tx.insert(conflicts)
          .values({ ...key, targetId, field: f.field, baseValue: f.base, sourceValue: f.source, targetValue: f.target, openedRunId: ctx.run.id, lastSeenRunId: ctx.run.id })
          .onConflictDoUpdate({
            target: [conflicts.connectionId, conflicts.dataset, conflicts.sourceId, conflicts.field],
            targetWhere: sql`${conflicts.status} = 'open'`,
            set: { sourceValue: f.source, targetValue: f.target, lastSeenRunId: ctx.run.id },
          });
      }
      if (c.closeConflicts.length > 0) {
        await tx.update(conflicts).set({ status: 'resolved', resolution: 'converged', resolvedAt: new Date() })
          .where(and(eq(conflicts.connectionId, key.connectionId), eq(conflicts.sourceId, key.sourceId), eq(conflicts.status, 'open'),
            sql`${conflicts.field} in ${c.closeConflicts}`));
      }
      await tx.update(reportLines).set({ outcome: 'applied', targetId }).where(and(eq(reportLines.runId, line.runId), eq(reportLines.seq, line.seq)));
    });
  }

  return {
    /**
     * Applies up to `maxLines` planned lines in order, CONCURRENCY at a time. A line is marked
     * applied in the same transaction as its link and snapshot, so a retried attempt (or a new
     * worker after a crash) skips it; a write repeated after a crash carries the same idempotency
     * key, so the target answers with the first result instead of creating a second profile.
     */
    async applyChanges(input: { runId: string; maxLines: number }): Promise<{ done: boolean; counts: Record<string, number> }> {
      const ctx = Context.current();
      const run = await loadRunContext(deps, input.runId);
      await db.update(syncRuns).set({ phase: 'write' }).where(eq(syncRuns.id, input.runId));
      const lines = await db.select().from(reportLines)
        .where(and(eq(reportLines.runId, input.runId), eq(reportLines.outcome, 'planned')))
        .orderBy(asc(reportLines.seq)).limit(input.maxLines);
      const counts = { written: 0, rejected: 0 };
      let next = 0;
      const worker = async () => {
        // On cancellation, take no new line; the ones in flight finish and commit, so state stays consistent.
        while (next < lines.length && !ctx.cancellationSignal.aborted) {
          const line = lines[next++] as Line;
          const plan = PlannedWriteSchema.parse(line.plan);
          const result = await write(run, line, plan);
          if ('targetId' in result) {
            await commit(run, line, plan, result.targetId);
            counts.written += 1;
          } else {
            counts.rejected += 1;
            await db.update(reportLines)
              .set({ outcome: 'failed', error: result.message, also: [line.action, ...line.also], action: 'error' })
              .where(and(eq(reportLines.runId, line.runId), eq(reportLines.seq, line.seq)));
          }
          ctx.heartbeat({ written: counts.written });
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, lines.length) }, worker));
      if (ctx.cancellationSignal.aborted) await ctx.cancelled;
      return { done: lines.length < input.maxLines, counts };
    },
  };
}
