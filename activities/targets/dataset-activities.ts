import { Context } from '@temporalio/activity';
import type { DatasetPages, DatasetPlanned, DatasetReadPlan, DatasetStaged, ReadCursor } from '../../workflows/contracts.js';
import { targetOfRun } from '../../db/queries/runs.js';
import type { Deps } from '../deps.js';
import { SyncError } from '../errors.js';
import type { Connectors, DatasetStep, DatasetSteps } from './connector.js';

/** Each target's dataset steps, built once per worker and found by name (the run's target, or a connection's). */
export function targetSteps(deps: Deps, connectors: Connectors) {
  const built = new Map<string, DatasetSteps>();
  return (target: string, whose: string): DatasetSteps => {
    const connector = connectors[target];
    if (!connector) {
      throw new SyncError('target_unknown', `${whose} is for target "${target}", which this worker does not have: run a worker that has it (known: ${Object.keys(connectors).join(', ')}).`, false);
    }
    let steps = built.get(target);
    if (!steps) built.set(target, (steps = connector.steps(deps)));
    return steps;
  };
}

type Confirm = { confirmDeletions: boolean; confirmVisibility?: boolean };

/**
 * The activities of workflows/sync-dataset.workflow.ts, the same for every target: each finds the
 * run's target and runs that connector's step. Their names are those Reflect's datasets had before
 * the registry, so its histories in flight go on calling them.
 */
export function datasetActivities(deps: Deps, connectors: Connectors) {
  const stepsFor = targetSteps(deps, connectors);
  async function stepsOf(runId: string): Promise<DatasetSteps> {
    const target = await targetOfRun(deps.db.db, runId);
    if (target === undefined) throw new SyncError('run_not_found', `Sync run ${runId} does not exist.`, false);
    return stepsFor(target, `Sync run ${runId}`);
  }
  return {
    async prepareDataset(input: DatasetStep & { full?: boolean }): Promise<DatasetReadPlan> {
      return (await stepsOf(input.runId)).prepare(input);
    },
    async fetchDatasetPages(input: DatasetStep & { plan: DatasetReadPlan; cursor: ReadCursor; maxPages: number }): Promise<DatasetPages> {
      return (await stepsOf(input.runId)).read(input);
    },
    async planDataset(input: DatasetStep & { plan: DatasetReadPlan } & Confirm): Promise<DatasetPlanned> {
      return (await stepsOf(input.runId)).plan(input);
    },
    async applyDataset(input: DatasetStep & { maxLines: number }): Promise<{ done: boolean; counts: Record<string, number> }> {
      return (await stepsOf(input.runId)).write(input);
    },
    async finishDataset(input: DatasetStep & { plan: DatasetReadPlan; dryRun: boolean; blocked?: boolean }): Promise<{ counts: Record<string, number> }> {
      return (await stepsOf(input.runId)).finish(input);
    },
    /**
     * Read steps up to `maxPages` pages in all (Lucca's part, then the target's, for a small company)
     * and, once the read is done, the plan, in one activity (runs whose plan beginRun decided).
     * Planning is idempotent (a retry finds the plan written). A retried attempt reads one step only,
     * from the workflow's cursor: its heartbeat may come from a later part the earlier attempt reached,
     * and resuming a part from another part's heartbeat could skip pages. Touches no target but to read it.
     */
    async stageDataset(input: DatasetStep & { plan: DatasetReadPlan; cursor: ReadCursor; maxPages: number } & Confirm): Promise<DatasetStaged> {
      const steps = await stepsOf(input.runId);
      const retried = Context.current().info.attempt > 1;
      const staged: DatasetStaged = { cursor: input.cursor, pages: 0, done: false, counts: {} };
      for (;;) {
        const page = await steps.read({ ...input, cursor: staged.cursor, maxPages: input.maxPages - staged.pages });
        const moved = page.cursor.part !== staged.cursor.part || page.cursor.at !== staged.cursor.at;
        Object.assign(staged, { cursor: page.cursor, pages: staged.pages + page.pages, done: page.done, ...(page.phase && { phase: page.phase }) });
        for (const [key, n] of Object.entries(page.counts)) staged.counts[key] = (staged.counts[key] ?? 0) + n;
        if (page.done) return { ...staged, planned: await steps.plan(input) };
        if (retried || !moved || staged.pages >= input.maxPages) return staged;
      }
    },
    /**
     * A write batch and, when it leaves nothing to write, the dataset's finish, in one activity. A dry
     * run only finishes. Both are idempotent: a retry after the finish writes nothing and finishes again.
     */
    async writeDataset(input: DatasetStep & { plan: DatasetReadPlan; maxLines: number; dryRun: boolean; blocked?: boolean }): Promise<{ done: boolean; counts: Record<string, number> }> {
      const steps = await stepsOf(input.runId);
      const batch = input.dryRun ? { done: true, counts: {} } : await steps.write(input);
      if (!batch.done) return batch;
      const finished = await steps.finish(input);
      const counts = { ...batch.counts };
      for (const [key, n] of Object.entries(finished.counts)) counts[key] = (counts[key] ?? 0) + n;
      return { done: true, counts };
    },
    async reportDatasetBlocked(input: DatasetStep & { message: string }): Promise<void> {
      return (await stepsOf(input.runId)).reportForbidden(input);
    },
  };
}
