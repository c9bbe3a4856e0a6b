import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { progressQuery, type SyncCursor, type SyncInput, type SyncSummary } from './contracts.js';
import { newDatasetCursor } from './dataset-steps.js';
import { LEGACY_REFLECT_DATASETS, runDatasetInline, runDatasets } from './run-datasets.js';
import { activitiesUntil, addCounts, checkpointEvery, failureBook, failureMessage, failureType, runDeadline } from './run-activities.js';

// linesPerActivity: 5,000 lines take seconds to write; fewer, longer write activities mean fewer
// pipeline drains and round trips (dev/bench/RESULTS.md). Activity inputs are not part of replay checks.
const DEFAULTS = { pagesPerActivity: 10, linesPerActivity: 5000, maxActivitiesPerRun: 500 };

/**
 * Versioning: every target runs as a list of datasets, each in a syncDataset child (run-datasets.ts),
 * since this patch. Before it, HappyPal ran its phases inline below and Reflect ran its children from a
 * list of its own; histories of both are in the wild (test/fixtures/histories, replayed by
 * test/integration/replay.test.ts) and keep replaying on the legacy path.
 *
 * Why patched() rather than a new workflow type: schedules in production start `syncConnection` by
 * name (client/schedules.ts), as do the CLI and the console; a new type would mean rewriting every
 * schedule, and the old type would stay registered for the runs in flight anyway. With a patch there
 * is one type, one workflow id scheme, one schedule action, and the legacy path can go once no run
 * begun before the patch is open, which the run budget bounds (12 h at most, workflows/policies.ts):
 * then deprecatePatch() for one release, then remove it. Worker Versioning would pin runs to builds
 * instead, but needs deployments configured on the server for a change this small.
 * A run decides once, at its start: an execution continued-as-new (only the legacy HappyPal path does)
 * stays on the legacy path.
 */
export const TARGETS_AS_DATASETS = 'targets-as-datasets';

/**
 * One sync of one connection: begin the run (which says the connection's target and its datasets,
 * and decides each dataset's read: full or incremental), then sync the datasets (fetch Lucca → fetch
 * the target's state if it compares with it → plan (map, match, three-way check, guards) → write),
 * then report. A target with several datasets (Reflect) syncs each in its own child workflow; a
 * target's only dataset (HappyPal) runs in this workflow (run-datasets.ts). Only orchestrates; every
 * step is an activity working on Postgres rows referenced by runId.
 */
export async function syncConnection(input: SyncInput): Promise<SyncSummary> {
  const options = { ...DEFAULTS, ...input.options };
  const cursor: SyncCursor = input.cursor ?? {
    runId: '', phase: 'starting', sourceOffset: 0, sourceDone: false, targetPage: 1, targetDone: false,
    planned: false, pagesDone: 0, counts: {}, continuedAsNew: 0,
  };
  // Every activity stops retrying at the run's deadline: the run ends before the connection's next slot.
  const deadline = runDeadline(input.budgetMs);
  const acts = () => activitiesUntil(deadline, input.options);
  setHandler(progressQuery, () => ({
    runId: cursor.runId || null, phase: cursor.phase, pagesDone: cursor.pagesDone, counts: { ...cursor.counts },
  }));
  const add = (counts: Record<string, number>) => addCounts(cursor.counts, counts);
  const checkpoint = checkpointEvery(options.maxActivitiesPerRun, () =>
    continueAsNew<typeof syncConnection>({ ...input, cursor: { ...cursor, continuedAsNew: cursor.continuedAsNew + 1 } }));

  // A run continued-as-new decided at its start: only one running its dataset inline carries it on.
  const asDatasets = input.cursor ? !!input.cursor.inline : patched(TARGETS_AS_DATASETS);
  try {
    let datasets;
    if (!cursor.runId) {
      const begun = await acts().book.beginRun({
        connectionId: input.connectionId, workflowId: workflowInfo().workflowId, trigger: input.trigger, dryRun: !!input.dryRun,
        full: !!input.full, ...(asDatasets && { prepare: true }),
      });
      cursor.runId = begun.runId;
      if (begun.target) cursor.target = begun.target;
      datasets = begun.datasets;
      if (begun.read) cursor.read = begun.read;
    }
    const runId = cursor.runId;
    const finish = (status: 'completed' | 'blocked', message: string | null) => acts().book.finishRun({ runId, status, message });
    if (asDatasets) {
      if (!cursor.inline) {
        if (!datasets) {
          throw ApplicationFailure.create({
            message: 'beginRun named no dataset: the activity workers are older than this workflow; deploy them together.', type: 'worker_mismatch', nonRetryable: true,
          });
        }
        // A target's only dataset runs here when beginRun decided its read (histories recorded
        // before that have no plan, and started a child): one workflow, no signals.
        const only = datasets.length === 1 ? datasets[0] : undefined;
        if (!only?.plan) return await runDatasets(input, cursor, deadline, datasets, finish);
        cursor.inline = { dataset: only, cursor: newDatasetCursor() };
      }
      return await runDatasetInline(input, cursor, cursor.inline, acts, checkpoint, finish);
    }
    // Legacy path: runs begun before the patch (see above). Reflect ran one child per dataset of its own list.
    if (cursor.target === 'reflect') return await runDatasets(input, cursor, deadline, LEGACY_REFLECT_DATASETS, finish);
    const read = cursor.read;
    while (!cursor.sourceDone) {
      cursor.phase = 'fetch-source';
      const page = await acts().read.fetchSourcePages({
        runId, offset: cursor.sourceOffset, maxPages: options.pagesPerActivity, ...(read && { read, part: cursor.sourcePart ?? 0 }),
      });
      Object.assign(cursor, { sourceOffset: page.offset, sourceDone: page.done, pagesDone: cursor.pagesDone + page.pages });
      if (page.part !== undefined) cursor.sourcePart = page.part;
      add(page.counts);
      await checkpoint();
    }
    while (!cursor.targetDone) {
      cursor.phase = 'fetch-target';
      const page = await acts().read.fetchTargetPages({ runId, page: cursor.targetPage, maxPages: options.pagesPerActivity, ...(read && { read }) });
      Object.assign(cursor, { targetPage: page.page, targetDone: page.done, pagesDone: cursor.pagesDone + page.pages });
      add(page.counts);
      await checkpoint();
    }
    if (!cursor.planned) {
      cursor.phase = 'plan';
      const plan = await acts().work.planChanges({
        runId, confirmDeactivations: !!input.confirmDeactivations, confirmVisibility: !!input.confirmVisibility, ...(read && { read }),
      });
      cursor.planned = true;
      add(plan.counts);
      if (plan.blockedReason) return await acts().book.finishRun({ runId, status: 'blocked', message: plan.blockedReason, ...(read && { read }) });
      await checkpoint();
    }
    if (!input.dryRun) {
      cursor.phase = 'write';
      for (;;) {
        const batch = await acts().work.applyChanges({ runId, maxLines: options.linesPerActivity });
        add(batch.counts);
        if (batch.done) break;
        await checkpoint();
      }
    }
    cursor.phase = 'report';
    // Moves the connection's read cursor (in the transaction that closes the run): only now is the read committed.
    const summary = await acts().book.finishRun({ runId, status: 'completed', message: null, ...(read && { read }) });
    cursor.phase = 'done';
    return summary;
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (!cursor.runId) throw err;
    const runId = cursor.runId;
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => failureBook.finishRun({ runId, status: 'cancelled', message: 'Cancelled by an operator.' }));
      throw err;
    }
    const type = failureType(err);
    // The failure code is stored with the run: health tells an expired key (auth error) from other failures.
    const closed = await CancellationScope.nonCancellable(() => failureBook.finishRun({
      runId, status: 'failed', message: failureMessage(err, input.budgetMs), addLastRetry: type === 'run_budget_spent', failureCode: type,
    }));
    throw ApplicationFailure.create({ message: closed.message ?? 'The sync failed.', type, nonRetryable: true, cause: err instanceof Error ? err : undefined });
  }
}
