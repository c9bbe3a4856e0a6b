import { Context } from '@temporalio/activity';
import { commitDatasetBatch, plannedLines, type PlannedLineRow } from '../../../db/queries/writes.js';
import { runPool } from '../../write-pipeline/index.js';
import { REFLECT_MAX_BATCH, type ReflectDataset } from './schemas.js';
import type { Deps } from '../../deps.js';
import { loadRunContext, type RunContext } from './context.js';
import { SyncError } from '../../errors.js';
import { idempotencyKey } from '../../../rules/idempotency.js';
import type { WritePlan } from './diff.js';
import { toFields, type ReflectRecord } from './model.js';
import { reflectPayload } from './to-reflect-employee.js';

/** Batches of one dataset in flight at once (Reflect's limit is per key: 600 requests a minute). */
const CONCURRENCY = 4;

type Line = PlannedLineRow;

interface BatchOutcome {
  applied: Line[];
  failed: Array<{ line: Line; message: string }>;
}

/**
 * Writes one dataset's planned lines to Reflect in batches of ≤ 500 (upserts by external_id,
 * deletes), each with an Idempotency-Key derived from (connection, run, dataset, operation,
 * content): a batch repeated after a crash is the same request, and Reflect answers it from its
 * idempotency store. Each batch is committed in one transaction (snapshots = the new base, line
 * outcomes), so a retried attempt skips what was committed. A record Reflect rejects is reported
 * (`error`, with the fields and rules, never values) and the run goes on. A batch Reflect refuses as
 * too large (413) is halved until it fits, each half its own request with its own idempotency key
 * (the key follows the content); a single record still too large is reported as rejected.
 */
export function reflectApplyActivities(deps: Deps) {

  async function send(ctx: RunContext, dataset: ReflectDataset, op: WritePlan['op'], lines: Line[]): Promise<BatchOutcome> {
    const key = (content: unknown) =>
      idempotencyKey({ connectionId: ctx.connection.id, sourceId: `${dataset}:batch`, runId: ctx.run.id, operation: op, content });
    if (op === 'delete') {
      const ids = lines.map((l) => l.sourceId);
      await ctx.reflect.batchDelete(dataset, ids, key(ids));
      return { applied: lines, failed: [] }; // `deleted` and `not_found` both leave Reflect without the record
    }
    const records = lines.map((l) => reflectPayload((l.plan as { record: ReflectRecord }).record));
    const results = await ctx.reflect.batchUpsert(dataset, records as never[], key(records));
    const outcome: BatchOutcome = { applied: [], failed: [] };
    results.forEach((r, i) => {
      const line = lines[i] as Line;
      if (r.status !== 'rejected') outcome.applied.push(line);
      else {
        const fields = Object.entries(r.errors ?? {}).map(([field, messages]) => `${field}: ${messages.join('; ')}`).join(', ');
        outcome.failed.push({ line, message: `Reflect refused the record${fields ? ` (${fields})` : ''}` });
      }
    });
    return outcome;
  }

  async function commit(ctx: RunContext, dataset: ReflectDataset, op: WritePlan['op'], outcome: BatchOutcome) {
    await commitDatasetBatch(
      deps.db.sql, { connectionId: ctx.connection.id, dataset, runId: ctx.run.id }, op,
      outcome.applied.map((l) => ({ seq: l.seq, sourceId: l.sourceId, fields: op === 'upsert' ? toFields((l.plan as { record: ReflectRecord }).record) : {} })),
      outcome.failed.map(({ line, message }) => ({ seq: line.seq, action: line.action, also: line.also, message })),
    );
  }

  return {
    /** Applies up to `maxLines` planned lines of one dataset; `done` when none is left. */
    async applyDataset(input: { runId: string; dataset: ReflectDataset; maxLines: number }): Promise<{ done: boolean; counts: Record<string, number> }> {
      const ctx = Context.current();
      const run = await loadRunContext(deps, input.runId);
      const lines = await plannedLines(deps.db.db, input.runId, { dataset: input.dataset, limit: input.maxLines });
      const batches: Array<{ op: WritePlan['op']; lines: Line[] }> = [];
      for (const op of ['upsert', 'delete'] as const) {
        const mine = lines.filter((l) => (l.plan as WritePlan | null)?.op === op);
        for (let i = 0; i < mine.length; i += REFLECT_MAX_BATCH) batches.push({ op, lines: mine.slice(i, i + REFLECT_MAX_BATCH) });
      }
      const counts = { written: 0, deleted: 0, rejected: 0 };
      const tally = (op: WritePlan['op'], outcome: BatchOutcome) => {
        counts[op === 'delete' ? 'deleted' : 'written'] += outcome.applied.length;
        counts.rejected += outcome.failed.length;
        ctx.heartbeat(counts);
      };
      /** Sends and commits one batch; on 413 its halves, one after the other (each committed on its own). */
      const write = async (op: WritePlan['op'], batch: Line[]): Promise<void> => {
        let outcome: BatchOutcome;
        try {
          outcome = await send(run, input.dataset, op, batch);
        } catch (err) {
          if (!(err instanceof SyncError) || err.code !== 'reflect_batch_too_large') throw err;
          if (batch.length === 1) {
            outcome = { applied: [], failed: [{ line: batch[0] as Line, message: 'Reflect refused the record as too large (413), even alone' }] };
          } else {
            const half = Math.ceil(batch.length / 2);
            deps.logger.info({ runId: input.runId, dataset: input.dataset, op, records: batch.length }, 'Reflect refused a batch as too large (413); splitting it');
            await write(op, batch.slice(0, half));
            await write(op, batch.slice(half));
            return;
          }
        }
        await commit(run, input.dataset, op, outcome);
        tally(op, outcome);
      };
      // On cancellation no new batch starts; the ones in flight finish and commit.
      await runPool(batches, { concurrency: CONCURRENCY, stopped: () => ctx.cancellationSignal.aborted, work: (batch) => write(batch.op, batch.lines) });
      if (ctx.cancellationSignal.aborted) await ctx.cancelled;
      return { done: lines.length < input.maxLines, counts };
    },
  };
}
