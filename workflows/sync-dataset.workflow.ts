import { ContinueAsNew, continueAsNew, getExternalWorkflowHandle, isCancellation, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  datasetProgressSignal, progressQuery, type DatasetCursor, type DatasetInput, type DatasetProgress, type DatasetResult, type DatasetStatus,
} from './contracts.js';
import { DATASET_DEFAULTS, newDatasetCursor, skippableRefusal, stageThenWrite } from './dataset-steps.js';
import { activitiesUntil, addCounts, checkpointEvery, runDeadline } from './run-activities.js';

/** The parent hears of every page read and line batch written, not only of phase changes. */
const PROGRESS_PER_STEP = 'dataset-progress-per-step';

/**
 * A dataset whose plan came with its input (beginRun decided it) tells its parent after its first
 * read step and its first write batch, then at most this often: a short sync sends one signal (its
 * result is its last progress), a long one keeps the console's live view within seconds. Each signal
 * is a billable action and events in both histories.
 */
const PROGRESS_EVERY_MS = 5000;

/**
 * One dataset of one run, whatever the target (a child of syncConnection, id `<run workflow id>/<dataset>`):
 * decide the read (full or incremental) → read pages into staging (Lucca's, and the target's when it
 * compares with them) → plan → write batches to the target → finish (e.g. move the dataset's cursor).
 * Each step is an activity that dispatches to the run's target (activities/targets/dataset-activities.ts).
 * Only orchestrates; records stay in Postgres. Has its own `progress` query and continues-as-new with
 * its own cursor. A Lucca key that may not read this dataset (403) ends it `not_permitted` with a
 * report line naming the permission, and the other datasets go on, unless the target fails the run then.
 */
export async function syncDataset(input: DatasetInput): Promise<DatasetResult> {
  const options = { ...DATASET_DEFAULTS, ...input.options };
  const { runId, dataset } = input;
  const c: DatasetCursor = input.cursor ?? newDatasetCursor();
  // The parent's deadline: the whole run, all datasets, ends before the connection's next slot.
  const deadline = input.deadline ?? runDeadline(undefined);
  const acts = () => activitiesUntil(deadline, input.options);
  const progress = (status: DatasetStatus): DatasetProgress => ({ dataset, phase: c.phase, status, pagesDone: c.pagesDone, counts: { ...c.counts } });
  setHandler(progressQuery, () => ({ runId, phase: c.phase, pagesDone: c.pagesDone, counts: { ...c.counts } }));
  const tell = async (status: DatasetStatus = 'running') => {
    const parent = workflowInfo().parent;
    if (!parent) return;
    try {
      await getExternalWorkflowHandle(parent.workflowId).signal(datasetProgressSignal, progress(status));
    } catch (err) {
      // Progress is informative: a parent that cannot be signalled does not stop the dataset (a cancellation does).
      if (isCancellation(err)) throw err;
    }
  };
  const enter = async (phase: DatasetCursor['phase']) => {
    if (c.phase === phase) return;
    c.phase = phase;
    await tell();
  };
  const add = (counts: Record<string, number>) => addCounts(c.counts, counts);
  const checkpoint = checkpointEvery(options.maxActivitiesPerRun, () =>
    continueAsNew<typeof syncDataset>({ ...input, cursor: { ...c, continuedAsNew: c.continuedAsNew + 1 } }));

  // Runs whose plan beginRun decided (input.plan): stage, then write (dataset-steps.ts). The parent
  // hears after the first read step and the first write batch, then at most every PROGRESS_EVERY_MS.
  let toldAt = -Infinity;
  const told = new Set<'read' | 'write'>();
  const stepped = async (step: 'read' | 'write') => {
    if (told.has(step) && Date.now() - toldAt < PROGRESS_EVERY_MS) return;
    told.add(step);
    toldAt = Date.now();
    await tell();
  };

  try {
    if (input.plan) return await stageThenWrite({ input, plan: input.plan, options, c, acts, stepped, checkpoint });
    c.plan ??= await acts().book.prepareDataset({ runId, dataset, ...(input.full && { full: true }) });
    const plan = c.plan;
    while (!c.readDone) {
      await enter(c.readPhase ?? 'fetch-source');
      const page = await acts().read.fetchDatasetPages({ runId, dataset, plan, cursor: c.read, maxPages: options.pagesPerActivity });
      Object.assign(c, { read: page.cursor, readDone: page.done, pagesDone: c.pagesDone + page.pages, ...(page.phase && { readPhase: page.phase }) });
      add(page.counts);
      // Pages read so far, for the parent's progress query (the console's live view). Histories
      // recorded before it had no such signal: patched() keeps them replaying.
      if (patched(PROGRESS_PER_STEP)) await tell();
      await checkpoint();
    }
    if (!c.planned) {
      await enter('plan');
      const planned = await acts().work.planDataset({ runId, dataset, plan, confirmDeletions: input.confirmDeletions, confirmVisibility: !!input.confirmVisibility });
      Object.assign(c, { planned: true, message: planned.message, ...(planned.blocked && { blocked: true }) });
      add(planned.counts);
      await checkpoint();
    }
    if (!input.dryRun) {
      await enter('write');
      for (;;) {
        const batch = await acts().work.applyDataset({ runId, dataset, maxLines: options.linesPerActivity });
        add(batch.counts);
        if (batch.done) break;
        if (patched(PROGRESS_PER_STEP)) await tell(); // lines written so far
        await checkpoint();
      }
    }
    await enter('report');
    await acts().book.finishDataset({ runId, dataset, plan, dryRun: input.dryRun, ...(c.blocked && { blocked: true }) });
    c.phase = 'done';
    await tell('completed');
    return { dataset, status: 'completed', message: c.message, counts: c.counts, ...(c.blocked && { blocked: true }) };
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    const cause = skippableRefusal(err, input.failOnForbidden);
    if (!cause) throw err;
    await acts().book.reportDatasetBlocked({ runId, dataset, message: cause.message });
    c.phase = 'done';
    await tell('not_permitted');
    return { dataset, status: 'not_permitted', message: cause.message, counts: c.counts };
  }
}
