import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { DatasetCursor, DatasetInput, DatasetReadPlan, DatasetResult } from './contracts.js';
import { activitiesUntil, addCounts } from './run-activities.js';

/** Pages one read step reads, lines one write step writes, activities before a continue-as-new. */
export const DATASET_DEFAULTS = { pagesPerActivity: 10, linesPerActivity: 2000, maxActivitiesPerRun: 500 };

export function newDatasetCursor(): DatasetCursor {
  return { phase: 'starting', plan: null, read: { part: 0, at: 0 }, readDone: false, planned: false, message: null, pagesDone: 0, counts: {}, continuedAsNew: 0 };
}

/** One dataset of a run whose read plan beginRun decided, wherever it runs (its own child, or the run workflow itself). */
export interface DatasetRun {
  input: Pick<DatasetInput, 'runId' | 'dataset' | 'dryRun' | 'confirmDeletions' | 'confirmVisibility'>;
  plan: DatasetReadPlan;
  options: { pagesPerActivity: number; linesPerActivity: number };
  /** Where it is: carried across continue-as-new by the caller. */
  c: DatasetCursor;
  acts: () => ReturnType<typeof activitiesUntil>;
  /** After a read step that did not end the read, and after a write batch that did not end the writes. */
  stepped(step: 'read' | 'write'): Promise<void>;
  /** After every activity: the caller may continue-as-new here, with `c`. */
  checkpoint(): Promise<void>;
}

/**
 * The dataset in two kinds of step: stage (read steps up to the page budget, and the plan in the call
 * that ends the read), then write (a batch, and the finish in the call that writes the last one). A
 * company of a few hundred people is one stage call (Lucca, then the target, then the plan) and one
 * write: two activities where the steps one by one (prepare, read, read, plan, write, finish) take six.
 */
export async function stageThenWrite(r: DatasetRun): Promise<DatasetResult> {
  const { input, plan, options, c } = r;
  const { runId, dataset } = input;
  c.plan = plan;
  const confirm = { confirmDeletions: input.confirmDeletions, confirmVisibility: !!input.confirmVisibility };
  while (!c.planned) {
    c.phase = c.readPhase ?? 'fetch-source';
    const staged = await r.acts().stage.stageDataset({ runId, dataset, plan, cursor: c.read, maxPages: options.pagesPerActivity, ...confirm });
    Object.assign(c, { read: staged.cursor, readDone: staged.done, pagesDone: c.pagesDone + staged.pages, ...(staged.phase && { readPhase: staged.phase }) });
    addCounts(c.counts, staged.counts);
    if (staged.planned) {
      Object.assign(c, { phase: 'plan', planned: true, message: staged.planned.message, ...(staged.planned.blocked && { blocked: true }) });
      addCounts(c.counts, staged.planned.counts);
    } else {
      c.phase = c.readPhase ?? 'fetch-source';
      await r.stepped('read');
    }
    await r.checkpoint();
  }
  for (;;) {
    c.phase = input.dryRun ? 'report' : 'write';
    const batch = await r.acts().work.writeDataset({ runId, dataset, plan, maxLines: options.linesPerActivity, dryRun: input.dryRun, ...(c.blocked && { blocked: true }) });
    addCounts(c.counts, batch.counts);
    if (batch.done) break;
    await r.stepped('write');
    await r.checkpoint();
  }
  c.phase = 'done';
  return { dataset, status: 'completed', message: c.message, counts: c.counts, pagesDone: c.pagesDone, ...(c.blocked && { blocked: true }) };
}

/**
 * Lucca's refusal (403) of a dataset the target may skip (onForbidden `skip-dataset`): the
 * ApplicationFailure to report, or undefined when the error is anything else or fails the run.
 */
export function skippableRefusal(err: unknown, failOnForbidden: boolean | undefined): ApplicationFailure | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'lucca_forbidden' || failOnForbidden) return undefined;
  return cause;
}
