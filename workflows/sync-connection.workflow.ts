import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { progressQuery, type SyncCursor, type SyncInput, type SyncSummary } from './contracts.js';
import { runReflectDatasets } from './reflect-run.js';
import { activitiesUntil, failureBook, failureMessage, failureType, runDeadline } from './run-activities.js';

// linesPerActivity: 5,000 lines take seconds to write; fewer, longer write activities mean fewer
// pipeline drains and round trips (dev/bench/RESULTS.md). Activity inputs are not part of replay checks.
const DEFAULTS = { pagesPerActivity: 10, linesPerActivity: 5000, maxActivitiesPerRun: 500 };

/**
 * One sync of one connection: fetch Lucca → fetch the target's current state → plan (map, match,
 * three-way check, guard) → write → report. Only orchestrates; every step is an activity working
 * on Postgres rows referenced by runId. Continues-as-new with its cursor on long runs.
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
  let activitiesThisRun = 0;
  setHandler(progressQuery, () => ({
    runId: cursor.runId || null, phase: cursor.phase, pagesDone: cursor.pagesDone, counts: { ...cursor.counts },
  }));
  const add = (counts: Record<string, number>) => {
    for (const [key, n] of Object.entries(counts)) cursor.counts[key] = (cursor.counts[key] ?? 0) + n;
  };
  const checkpoint = async () => {
    activitiesThisRun += 1;
    if (workflowInfo().continueAsNewSuggested || activitiesThisRun >= options.maxActivitiesPerRun) {
      await continueAsNew<typeof syncConnection>({ ...input, cursor: { ...cursor, continuedAsNew: cursor.continuedAsNew + 1 } });
    }
  };

  try {
    if (!cursor.runId) {
      const begun = await acts().book.beginRun({
        connectionId: input.connectionId, workflowId: workflowInfo().workflowId, trigger: input.trigger, dryRun: !!input.dryRun,
        full: !!input.full,
      });
      cursor.runId = begun.runId;
      if (begun.target) cursor.target = begun.target;
      if (begun.read) cursor.read = begun.read;
    }
    const runId = cursor.runId;
    // Reflect: one child workflow per dataset (reflect-run.ts). Histories of HappyPal runs never enter here.
    if (cursor.target === 'reflect') {
      return await runReflectDatasets(input, cursor, deadline, (status, message) => acts().book.finishRun({ runId, status, message }));
    }
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
