import { Context } from '@temporalio/activity';
import { and, asc, eq } from 'drizzle-orm';
import { reportLines, syncRuns } from '../db/schema.js';
import type { RecordRejection, WriteResult } from './connectors/happypal/client.js';
import { loadRunContext, type Deps, type RunContext } from './deps.js';
import { EMPLOYEES } from './plan.js';
import { PlannedWriteSchema, type PlannedWrite } from './plan-model.js';
import { idempotencyKey } from './sync/idempotency.js';

const CONCURRENCY = 16;
/** Lines committed together: at least COMMIT_MIN (or what waited COMMIT_MAX_WAIT_MS), at most COMMIT_BATCH. */
const COMMIT_MIN = 200;
const COMMIT_MAX_WAIT_MS = 200;
const COMMIT_BATCH = 1000;
const HEARTBEAT_EVERY_MS = 1000;
/** The columns of a planned report line that the write phase reads. */
type Line = Pick<typeof reportLines.$inferSelect, 'seq' | 'sourceId' | 'targetId' | 'action' | 'also' | 'plan'>;
interface Written { line: Line; plan: PlannedWrite; targetId: string }
interface Rejected { line: Line; rejection: RecordRejection }

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

  /**
   * The database commit of a batch of lines: links, snapshots (the new base), conflicts and the
   * lines' outcomes, in ONE transaction, so a line is marked applied only together with its link
   * and snapshot. Multi-row statements whose rows travel as one JSON parameter: a batch of 500 lines
   * costs a handful of round trips instead of five per line.
   */
  async function commitBatch(ctx: RunContext, done: Written[], rejected: Rejected[]): Promise<void> {
    if (done.length === 0 && rejected.length === 0) return;
    const connectionId = ctx.connection.id;
    const runId = ctx.run.id;
    const json = (rows: unknown[]) => JSON.stringify(rows);
    const links = done.filter((w) => w.plan.commit.link).map((w) => ({ s: w.line.sourceId, t: w.targetId }));
    const snaps = done.filter((w) => w.plan.commit.snapshot)
      .map((w) => ({ s: w.line.sourceId, f: w.plan.commit.snapshot, k: w.plan.commit.kept, st: w.plan.commit.status }));
    const statusOnly = done.filter((w) => !w.plan.commit.snapshot && w.plan.commit.status)
      .map((w) => ({ s: w.line.sourceId, st: w.plan.commit.status }));
    const opened = done.flatMap((w) => w.plan.commit.openConflicts.map((f) => ({
      s: w.line.sourceId, t: w.targetId, field: f.field, b: f.base, src: f.source, tgt: f.target,
    })));
    const closed = done.flatMap((w) => w.plan.commit.closeConflicts.map((field) => ({ s: w.line.sourceId, field })));
    const applied = done.map((w) => ({ seq: w.line.seq, t: w.targetId }));
    const failed = rejected.map((r) => ({ seq: r.line.seq, e: r.rejection.message, a: [r.line.action, ...r.line.also] }));
    await deps.db.sql.begin(async (tx) => {
      if (links.length > 0) {
        await tx`insert into record_links (connection_id, dataset, source_id, target_id)
          select ${connectionId}::uuid, ${EMPLOYEES}, x.s, x.t from jsonb_to_recordset(${json(links)}::jsonb) as x(s text, t text)
          on conflict (connection_id, dataset, source_id) do update set target_id = excluded.target_id`;
      }
      if (snaps.length > 0) {
        await tx`insert into snapshots (connection_id, dataset, source_id, fields, kept, target_status, run_id, updated_at)
          select ${connectionId}::uuid, ${EMPLOYEES}, x.s, x.f, x.k, x.st, ${runId}::uuid, now()
          from jsonb_to_recordset(${json(snaps)}::jsonb) as x(s text, f jsonb, k jsonb, st text)
          on conflict (connection_id, dataset, source_id) do update set fields = excluded.fields, kept = excluded.kept,
            target_status = excluded.target_status, run_id = excluded.run_id, updated_at = excluded.updated_at`;
      }
      if (statusOnly.length > 0) {
        await tx`update snapshots sn set target_status = x.st, run_id = ${runId}::uuid, updated_at = now()
          from jsonb_to_recordset(${json(statusOnly)}::jsonb) as x(s text, st text)
          where sn.connection_id = ${connectionId}::uuid and sn.dataset = ${EMPLOYEES} and sn.source_id = x.s`;
      }
      if (opened.length > 0) {
        await tx`insert into conflicts (connection_id, dataset, source_id, target_id, field, base_value, source_value, target_value, opened_run_id, last_seen_run_id)
          select ${connectionId}::uuid, ${EMPLOYEES}, x.s, x.t, x.field, x.b, x.src, x.tgt, ${runId}::uuid, ${runId}::uuid
          from jsonb_to_recordset(${json(opened)}::jsonb) as x(s text, t text, field text, b text, src text, tgt text)
          on conflict (connection_id, dataset, source_id, field) where status = 'open'
          do update set source_value = excluded.source_value, target_value = excluded.target_value, last_seen_run_id = excluded.last_seen_run_id`;
      }
      if (closed.length > 0) {
        await tx`update conflicts c set status = 'resolved', resolution = 'converged', resolved_at = now()
          from jsonb_to_recordset(${json(closed)}::jsonb) as x(s text, field text)
          where c.connection_id = ${connectionId}::uuid and c.source_id = x.s and c.status = 'open' and c.field = x.field`;
      }
      if (applied.length > 0) {
        await tx`update report_lines r set outcome = 'applied', target_id = x.t
          from jsonb_to_recordset(${json(applied)}::jsonb) as x(seq int, t text)
          where r.run_id = ${runId}::uuid and r.seq = x.seq`;
      }
      if (failed.length > 0) {
        await tx`update report_lines r set outcome = 'failed', error = x.e, also = x.a, action = 'error'
          from jsonb_to_recordset(${json(failed)}::jsonb) as x(seq int, e text, a jsonb)
          where r.run_id = ${runId}::uuid and r.seq = x.seq`;
      }
    });
  }

  return {
    /**
     * Applies up to `maxLines` planned lines in order, CONCURRENCY at a time. A line is marked
     * applied in the same transaction as its link and snapshot (lines are committed in groups, see
     * commitBatch), so a retried attempt (or a new worker after a crash) skips it; a write repeated
     * after a crash carries the same idempotency key, so the target answers with the first result
     * instead of creating a second profile.
     */
    async applyChanges(input: { runId: string; maxLines: number }): Promise<{ done: boolean; counts: Record<string, number> }> {
      const ctx = Context.current();
      const run = await loadRunContext(deps, input.runId);
      await db.update(syncRuns).set({ phase: 'write' }).where(eq(syncRuns.id, input.runId));
      // Only what the write needs: not the report's diffs (`changes`, `reasons`), the largest part of a line.
      const lines: Line[] = await db.select({
        seq: reportLines.seq, sourceId: reportLines.sourceId, targetId: reportLines.targetId,
        action: reportLines.action, also: reportLines.also, plan: reportLines.plan,
      }).from(reportLines)
        .where(and(eq(reportLines.runId, input.runId), eq(reportLines.outcome, 'planned')))
        .orderBy(asc(reportLines.seq)).limit(input.maxLines);
      const counts = { written: 0, rejected: 0 };
      // Group commit: written lines wait in memory until the committer takes them, all at once, in one
      // transaction; while it commits, the next ones accumulate. A commit starts once COMMIT_MIN lines
      // wait, or COMMIT_MAX_WAIT_MS after the first of them. Nothing is marked applied before its commit.
      const written: Written[] = [];
      const rejected: Rejected[] = [];
      let committing: Promise<void> = Promise.resolve();
      let scheduled = false;
      let timer: NodeJS.Timeout | undefined;
      let failure: unknown;
      const maybeCommit = () => {
        if (written.length + rejected.length >= COMMIT_MIN) commitPending();
        else timer ??= setTimeout(commitPending, COMMIT_MAX_WAIT_MS);
      };
      const commitPending = () => {
        clearTimeout(timer);
        timer = undefined;
        if (scheduled) return;
        scheduled = true;
        committing = committing.then(async () => {
          scheduled = false;
          while (written.length > 0 || rejected.length > 0) {
            const done = written.splice(0, COMMIT_BATCH);
            const refused = rejected.splice(0, COMMIT_BATCH);
            await commitBatch(run, done, refused);
            counts.written += done.length;
            counts.rejected += refused.length;
            beat();
          }
        });
        committing.catch((err: unknown) => {
          failure ??= err;
        });
      };
      // Heartbeats are throttled here too: each one is encoded (and encrypted) by the SDK before core throttles it.
      let lastBeat = 0;
      const beat = () => {
        const now = Date.now();
        if (now - lastBeat < HEARTBEAT_EVERY_MS) return;
        lastBeat = now;
        ctx.heartbeat({ written: counts.written });
      };
      let next = 0;
      const worker = async () => {
        // On cancellation or a failure, take no new line; the ones in flight finish and commit, so state stays consistent.
        while (next < lines.length && !ctx.cancellationSignal.aborted && failure === undefined) {
          const line = lines[next++] as Line;
          try {
            const plan = PlannedWriteSchema.parse(line.plan);
            const result = await write(run, line, plan);
            if ('targetId' in result) written.push({ line, plan, targetId: result.targetId });
            else rejected.push({ line, rejection: result });
          } catch (err) {
            failure ??= err;
          }
          maybeCommit();
          beat();
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, lines.length) }, worker));
      // Whatever was written is committed before the activity returns, fails or is cancelled.
      commitPending();
      await committing.catch(() => undefined);
      if (failure !== undefined) throw failure;
      if (ctx.cancellationSignal.aborted) await ctx.cancelled;
      return { done: lines.length < input.maxLines, counts };
    },
  };
}
