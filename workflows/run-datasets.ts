import { ApplicationFailure, ContinueAsNew, executeChild, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  datasetProgressSignal, datasetWorkflowIdFor, progressQuery, type DatasetProgress, type DatasetResult, type Phase, type RunDataset,
  type SyncCursor, type SyncInput, type SyncSummary,
} from './contracts.js';
import { DATASET_DEFAULTS, skippableRefusal, stageThenWrite } from './dataset-steps.js';
import { activitiesUntil, addCounts, failureMessage, failureType } from './run-activities.js';
import { syncDataset } from './sync-dataset.workflow.js';

const PHASES: readonly Phase[] = ['starting', 'fetch-source', 'fetch-target', 'plan', 'write', 'report', 'done'];

/**
 * Reflect's datasets as runs that began before the target registry knew them (their beginRun returned
 * no datasets): frozen with those histories, so they replay. Not the definition of Reflect's datasets
 * (activities/targets/reflect/target.ts); deleted with the legacy path of sync-connection.workflow.ts.
 */
export const LEGACY_REFLECT_DATASETS: readonly RunDataset[] = [
  { name: 'employees', label: 'employees' }, { name: 'compensation', label: 'compensation' },
  { name: 'absences', label: 'absences' }, { name: 'expenses', label: 'expense reports' },
];

/**
 * The datasets of one run, whatever the target: one child workflow per dataset, all at once, then the report.
 *
 * Child workflows rather than phases of this workflow: each dataset is its own failure domain (a
 * key without Pagga rights stops compensation, not absences), has its own history (a year of
 * leaves does not crowd the employees' history, and each continues-as-new on its own), its own
 * `progress` query and its own line in the Web UI (`<run id>/<dataset>`). The datasets are
 * independent (targets check no reference between them), so they run side by side; their Lucca
 * reads share the instance's rate limiter, so this costs Lucca nothing more than one after another.
 * A target with one dataset (HappyPal) reports it as the run itself: no `employees:` prefix.
 */
export async function runDatasets(
  input: SyncInput, cursor: SyncCursor, deadline: number, datasets: readonly RunDataset[],
  finish: (status: 'completed' | 'blocked', message: string | null) => Promise<SyncSummary>,
): Promise<SyncSummary> {
  const label = new Map(datasets.map((d) => [d.name, d.label]));
  const prefixed = datasets.length > 1;
  const progress = new Map<string, DatasetProgress>();
  setHandler(progressQuery, () => ({
    runId: cursor.runId, phase: cursor.phase, pagesDone: cursor.pagesDone, counts: { ...cursor.counts }, datasets: Object.fromEntries(progress),
  }));
  const heard = (p: DatasetProgress) => {
    progress.set(p.dataset, p);
    const all = [...progress.values()];
    cursor.phase = progress.size < datasets.length ? 'starting'
      : PHASES[Math.min(...all.map((d) => PHASES.indexOf(d.phase)))] ?? 'starting';
    cursor.pagesDone = all.reduce((n, d) => n + d.pagesDone, 0);
    cursor.counts = {};
    for (const d of all) addCounts(cursor.counts, d.counts);
  };
  setHandler(datasetProgressSignal, heard);
  const parentId = workflowInfo().workflowId;
  const settled = await Promise.allSettled(datasets.map((d) => {
    // The target's write batch unless the caller set one (tests, bench).
    const options = d.linesPerActivity !== undefined ? { linesPerActivity: d.linesPerActivity, ...input.options } : input.options;
    return executeChild(syncDataset, {
      workflowId: datasetWorkflowIdFor(parentId, d.name),
      args: [{
        runId: cursor.runId, dataset: d.name, dryRun: !!input.dryRun, confirmDeletions: !!input.confirmDeactivations, deadline,
        ...(d.failOnForbidden && { failOnForbidden: true }), ...(d.plan && { plan: d.plan }),
        ...(input.full && { full: true }), ...(input.confirmVisibility && { confirmVisibility: true }),
        ...(options && { options }),
      }],
    });
  }));
  const cancelled = settled.find((s) => s.status === 'rejected' && isCancellation(s.reason));
  if (cancelled?.status === 'rejected') throw cancelled.reason;
  const failed = datasets.filter((_, i) => settled[i]?.status === 'rejected');
  if (failed.length > 0) {
    const first = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    const message = failureMessage(first.reason, input.budgetMs);
    throw ApplicationFailure.create({
      message: prefixed ? `${failed.map((d) => d.label).join(', ')} failed: ${message}` : message,
      type: failureType(first.reason),
      nonRetryable: true,
    });
  }
  const results = settled.map((s) => (s as PromiseFulfilledResult<DatasetResult>).value);
  // Each child's result is its last progress (a child of a short run sends none: workflows/sync-dataset.workflow.ts).
  for (const r of results) {
    heard({ dataset: r.dataset, phase: 'done', status: r.status, pagesDone: r.pagesDone ?? progress.get(r.dataset)?.pagesDone ?? 0, counts: r.counts });
  }
  return closeDatasets(cursor, datasets, results, finish);
}

/**
 * A target's only dataset, in the run workflow itself rather than in a child: no child to start, no
 * progress to signal, its steps in the run's own history. Runs whose beginRun decided the read plan
 * (RunDataset.plan) take this path for a one-dataset target (HappyPal); the cursor carries the
 * dataset's own across continue-as-new (`checkpoint`). Same steps, same results as a syncDataset child.
 */
export async function runDatasetInline(
  input: SyncInput, cursor: SyncCursor, inline: NonNullable<SyncCursor['inline']>, acts: () => ReturnType<typeof activitiesUntil>,
  checkpoint: () => Promise<void>, finish: (status: 'completed' | 'blocked', message: string | null) => Promise<SyncSummary>,
): Promise<SyncSummary> {
  const { dataset: d, cursor: c } = inline;
  const plan = d.plan;
  if (!plan) throw ApplicationFailure.create({ message: `Dataset ${d.name} has no read plan to run inline.`, type: 'worker_mismatch', nonRetryable: true });
  const progress = (): DatasetProgress => ({
    dataset: d.name, phase: c.phase, status: c.phase === 'done' ? 'completed' : 'running', pagesDone: c.pagesDone, counts: { ...c.counts },
  });
  setHandler(progressQuery, () => ({
    runId: cursor.runId, phase: cursor.phase === 'report' || cursor.phase === 'done' ? cursor.phase : c.phase, pagesDone: c.pagesDone, counts: { ...c.counts },
    datasets: { [d.name]: progress() },
  }));
  const options = { ...DATASET_DEFAULTS, ...(d.linesPerActivity !== undefined && { linesPerActivity: d.linesPerActivity }), ...input.options };
  const step = {
    runId: cursor.runId, dataset: d.name, dryRun: !!input.dryRun, confirmDeletions: !!input.confirmDeactivations,
    ...(input.confirmVisibility && { confirmVisibility: true }),
  };
  let result: DatasetResult;
  try {
    result = await stageThenWrite({ input: step, plan, options, c, acts, stepped: async () => undefined, checkpoint });
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    const refusal = skippableRefusal(err, d.failOnForbidden);
    if (!refusal) throw err;
    await acts().book.reportDatasetBlocked({ runId: cursor.runId, dataset: d.name, message: refusal.message });
    c.phase = 'done';
    result = { dataset: d.name, status: 'not_permitted', message: refusal.message, counts: c.counts, pagesDone: c.pagesDone };
  }
  Object.assign(cursor, { pagesDone: c.pagesDone, counts: { ...c.counts } });
  return closeDatasets(cursor, [d], [result], finish);
}

/** The run's report once every dataset ended: `blocked` if a guard stopped one, with a message that names what did not sync. */
async function closeDatasets(
  cursor: SyncCursor, datasets: readonly RunDataset[], results: DatasetResult[],
  finish: (status: 'completed' | 'blocked', message: string | null) => Promise<SyncSummary>,
): Promise<SyncSummary> {
  const label = new Map(datasets.map((d) => [d.name, d.label]));
  cursor.phase = 'report';
  // A section the visibility guard stopped makes the run `blocked` (the others synced): an operator must look.
  const message = datasets.length === 1 && results[0]?.status === 'completed' ? results[0].message : summaryMessage(results, (name) => label.get(name) ?? name);
  const summary = await finish(results.some((r) => r.blocked) ? 'blocked' : 'completed', message);
  cursor.phase = 'done';
  return summary;
}

/** null when every dataset synced; otherwise it names the partial sections, and why, plainly. */
function summaryMessage(results: DatasetResult[], label: (dataset: string) => string): string | null {
  const blocked = results.filter((r) => r.status === 'not_permitted');
  const notes = results.filter((r) => r.status === 'completed' && r.message).map((r) => `${label(r.dataset)}: ${r.message}`);
  if (blocked.length === 0) return notes.length > 0 ? notes.join(' ') : null;
  const synced = results.filter((r) => r.status === 'completed').map((r) => label(r.dataset));
  return [
    `Partial sync: ${blocked.map((r) => label(r.dataset)).join(', ')} not synced (missing Lucca permission); ` +
      `${synced.length > 0 ? `${synced.join(', ')} synced.` : 'nothing else synced.'}`,
    ...blocked.map((r) => r.message),
    ...notes,
  ].join(' ');
}
