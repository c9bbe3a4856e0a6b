import type { DatasetPages, DatasetPlanned, DatasetReadPlan, ReadCursor } from '../../workflows/contracts.js';
import { targetOfRun } from '../../db/queries/runs.js';
import type { Deps } from '../deps.js';
import { SyncError } from '../errors.js';
import type { Connectors, DatasetStep, DatasetSteps } from './connector.js';

/**
 * The activities of workflows/sync-dataset.workflow.ts, the same for every target: each finds the
 * run's target and runs that connector's step. Their names are those Reflect's datasets had before
 * the registry, so its histories in flight go on calling them.
 */
export function datasetActivities(deps: Deps, connectors: Connectors) {
  const built = new Map<string, DatasetSteps>();
  async function stepsOf(runId: string): Promise<DatasetSteps> {
    const target = await targetOfRun(deps.db.db, runId);
    if (target === undefined) throw new SyncError('run_not_found', `Sync run ${runId} does not exist.`, false);
    const connector = connectors[target];
    if (!connector) {
      throw new SyncError('target_unknown', `Sync run ${runId} is for target "${target}", which this worker does not have: run a worker that has it (known: ${Object.keys(connectors).join(', ')}).`, false);
    }
    let steps = built.get(target);
    if (!steps) built.set(target, (steps = connector.steps(deps)));
    return steps;
  }
  return {
    async prepareDataset(input: DatasetStep & { full?: boolean }): Promise<DatasetReadPlan> {
      return (await stepsOf(input.runId)).prepare(input);
    },
    async fetchDatasetPages(input: DatasetStep & { plan: DatasetReadPlan; cursor: ReadCursor; maxPages: number }): Promise<DatasetPages> {
      return (await stepsOf(input.runId)).read(input);
    },
    async planDataset(input: DatasetStep & { plan: DatasetReadPlan; confirmDeletions: boolean; confirmVisibility?: boolean }): Promise<DatasetPlanned> {
      return (await stepsOf(input.runId)).plan(input);
    },
    async applyDataset(input: DatasetStep & { maxLines: number }): Promise<{ done: boolean; counts: Record<string, number> }> {
      return (await stepsOf(input.runId)).write(input);
    },
    async finishDataset(input: DatasetStep & { plan: DatasetReadPlan; dryRun: boolean; blocked?: boolean }): Promise<{ counts: Record<string, number> }> {
      return (await stepsOf(input.runId)).finish(input);
    },
    async reportDatasetBlocked(input: DatasetStep & { message: string }): Promise<void> {
      return (await stepsOf(input.runId)).reportForbidden(input);
    },
  };
}
