import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { progressQuery, type SyncCursor, type SyncInput, type SyncSummary } from './contracts.js';
import { BOOKKEEPING, READ, WORK } from './policies.js';
import { runReflectDatasets } from './reflect-run.js';

const read = proxyActivities<Activities>(READ);
const work = proxyActivities<Activities>(WORK);
const book = proxyActivities<Activities>(BOOKKEEPING);

// linesPerActivity: 5,000 lines take seconds to write; fewer, longer write activities mean fewer
// pipeline drains and round trips (bench/RESULTS.md). Activity inputs are not part of replay checks.
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
      const begun = await book.beginRun({
        connectionId: input.connectionId, workflowId: workflowInfo().workflowId, trigger: input.trigger, dryRun: !!input.dryRun,
      });
      cursor.runId = begun.runId;
      if (begun.target) cursor.target = begun.target;
    }
    const runId = cursor.runId;
    // Reflect: one child workflow per dataset (reflect-run.ts). Histories of HappyPal runs never enter here.
    if (cursor.target === 'reflect') {
      return await runReflectDatasets(input, cursor, (status, message) => book.finishRun({ runId, status, message }));
    }
    while (!cursor.sourceDone) {
      cursor.phase = 'fetch-source';
      const page = await read.fetchSourcePages({ runId, offset: cursor.sourceOffset, maxPages: options.pagesPerActivity });
      Object.assign(cursor, { sourceOffset: page.offset, sourceDone: page.done, pagesDone: cursor.pagesDone + page.pages });
      add(page.counts);
      await checkpoint();
    }
    while (!cursor.targetDone) {
      cursor.phase = 'fetch-target';
      const page = await read.fetchTargetPages({ runId, page: cursor.targetPage, maxPages: options.pagesPerActivity });
      Object.assign(cursor, { targetPage: page.page, targetDone: page.done, pagesDone: cursor.pagesDone + page.pages });
      add(page.counts);
      await checkpoint();
    }
    if (!cursor.planned) {
      cursor.phase = 'plan';
      const plan = await work.planChanges({ runId, confirmDeactivations: !!input.confirmDeactivations });
      cursor.planned = true;
      add(plan.counts);
      if (plan.blockedReason) return await book.finishRun({ runId, status: 'blocked', message: plan.blockedReason });
      await checkpoint();
    }
    if (!input.dryRun) {
      cursor.phase = 'write';
      for (;;) {
        const batch = await work.applyChanges({ runId, maxLines: options.linesPerActivity });
        add(batch.counts);
        if (batch.done) break;
        await checkpoint();
      }
    }
    cursor.phase = 'report';
    const summary = await book.finishRun({ runId, status: 'completed', message: null });
    cursor.phase = 'done';
    return summary;
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (!cursor.runId) throw err;
    const runId = cursor.runId;
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => book.finishRun({ runId, status: 'cancelled', message: 'Cancelled by an operator.' }));
      throw err;
    }
    const message = failureMessage(err);
    const type = failureType(err);
    // The failure code is stored with the run: health tells an expired key (auth error) from other failures.
    await CancellationScope.nonCancellable(() => book.finishRun({ runId, status: 'failed', message, failureCode: type }));
    throw ApplicationFailure.create({ message, type, nonRetryable: true, cause: err instanceof Error ? err : undefined });
  }
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.message;
  return err instanceof Error ? err.message : 'The sync failed.';
}

function failureType(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type) return err.cause.type;
  if (err instanceof ApplicationFailure && err.type) return err.type;
  return 'sync_failed';
}
