import { ApplicationFailure, executeChild, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  datasetProgressSignal, datasetWorkflowIdFor, progressQuery, REFLECT_DATASET_NAMES, type DatasetProgress, type DatasetResult, type Phase,
  type SyncCursor, type SyncInput, type SyncSummary,
} from './contracts.js';
import { failureMessage, failureType } from './run-activities.js';
import { syncDataset } from './sync-dataset.workflow.js';

const PHASES: readonly Phase[] = ['starting', 'fetch-source', 'fetch-target', 'plan', 'write', 'report', 'done'];

const LABEL: Record<string, string> = { employees: 'employees', compensation: 'compensation', absences: 'absences', expenses: 'expense reports' };

/**
 * The Reflect part of one run: one child workflow per dataset, all four at once, then the report.
 *
 * Child workflows rather than phases of this workflow: each dataset is its own failure domain (a
 * key without Pagga rights stops compensation, not absences), has its own history (a year of
 * leaves does not crowd the employees' history, and each continues-as-new on its own), its own
 * `progress` query and its own line in the Web UI (`<run id>/<dataset>`). The datasets are
 * independent (Reflect checks no reference between them), so they run side by side; their Lucca
 * reads share the instance's rate limiter, so this costs Lucca nothing more than one after another.
 */
export async function runReflectDatasets(
  input: SyncInput, cursor: SyncCursor, deadline: number, finish: (status: 'completed' | 'blocked', message: string | null) => Promise<SyncSummary>,
): Promise<SyncSummary> {
  const progress = new Map<string, DatasetProgress>();
  setHandler(progressQuery, () => ({
    runId: cursor.runId, phase: cursor.phase, pagesDone: cursor.pagesDone, counts: { ...cursor.counts }, datasets: Object.fromEntries(progress),
  }));
  setHandler(datasetProgressSignal, (p) => {
    progress.set(p.dataset, p);
    const all = [...progress.values()];
    cursor.phase = progress.size < REFLECT_DATASET_NAMES.length ? 'starting'
      : PHASES[Math.min(...all.map((d) => PHASES.indexOf(d.phase)))] ?? 'starting';
    cursor.pagesDone = all.reduce((n, d) => n + d.pagesDone, 0);
    cursor.counts = {};
    for (const d of all) for (const [key, n] of Object.entries(d.counts)) cursor.counts[key] = (cursor.counts[key] ?? 0) + n;
  });
  const parentId = workflowInfo().workflowId;
  const settled = await Promise.allSettled(REFLECT_DATASET_NAMES.map((dataset) =>
    executeChild(syncDataset, {
      workflowId: datasetWorkflowIdFor(parentId, dataset),
      args: [{
        runId: cursor.runId, dataset, dryRun: !!input.dryRun, confirmDeletions: !!input.confirmDeactivations, deadline,
        ...(input.full && { full: true }), ...(input.confirmVisibility && { confirmVisibility: true }),
        ...(input.options && { options: input.options }),
      }],
    })));
  const cancelled = settled.find((s) => s.status === 'rejected' && isCancellation(s.reason));
  if (cancelled?.status === 'rejected') throw cancelled.reason;
  const failed = REFLECT_DATASET_NAMES.filter((_, i) => settled[i]?.status === 'rejected');
  if (failed.length > 0) {
    const first = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    throw ApplicationFailure.create({
      message: `${failed.map((d) => LABEL[d]).join(', ')} failed: ${failureMessage(first.reason, input.budgetMs)}`,
      type: failureType(first.reason),
      nonRetryable: true,
    });
  }
  const results = settled.map((s) => (s as PromiseFulfilledResult<DatasetResult>).value);
  cursor.phase = 'report';
  // A section the visibility guard stopped makes the run `blocked` (the others synced): an operator must look.
  const summary = await finish(results.some((r) => r.blocked) ? 'blocked' : 'completed', summaryMessage(results));
  cursor.phase = 'done';
  return summary;
}

/** null when every dataset synced; otherwise it names the partial sections, and why, plainly. */
function summaryMessage(results: DatasetResult[]): string | null {
  const blocked = results.filter((r) => r.status === 'not_permitted');
  const notes = results.filter((r) => r.status === 'completed' && r.message).map((r) => `${LABEL[r.dataset]}: ${r.message}`);
  if (blocked.length === 0) return notes.length > 0 ? notes.join(' ') : null;
  const synced = results.filter((r) => r.status === 'completed').map((r) => LABEL[r.dataset]);
  return [
    `Partial sync: ${blocked.map((r) => LABEL[r.dataset]).join(', ')} not synced (missing Lucca permission); ` +
      `${synced.length > 0 ? `${synced.join(', ')} synced.` : 'nothing else synced.'}`,
    ...blocked.map((r) => r.message),
    ...notes,
  ].join(' ');
}
