import type { TargetConnector } from '../connector.js';
import { reflectActivities } from './activities.js';
import { reflectApplyActivities } from './apply.js';
import { createReflectClient } from './client.js';
import { ReflectDatasetSchema } from './schemas.js';
import { REFLECT } from './target.js';

/**
 * Reflect as a target: four datasets, each read in full or from its cursor (read-plan.ts), diffed
 * against what we last wrote, written in batches, its cursor moved on at the end.
 */
export const reflectConnector: TargetConnector<'reflect'> = {
  ...REFLECT,
  async checkKey(endpoint) {
    await createReflectClient(endpoint).listRecords('employees', 1, 1);
  },
  steps(deps) {
    const a = { ...reflectActivities(deps), ...reflectApplyActivities(deps) };
    // A dataset name Reflect does not have is a bug in the caller: said plainly, never sent to Reflect.
    const checked = <T extends { dataset: string }>(input: T) => ({ ...input, dataset: ReflectDatasetSchema.parse(input.dataset) });
    return {
      prepare: (input) => a.prepareDataset(checked(input)),
      read: (input) => a.fetchDatasetPages(checked(input) as Parameters<typeof a.fetchDatasetPages>[0]),
      plan: (input) => a.planDataset(checked(input) as Parameters<typeof a.planDataset>[0]),
      write: (input) => a.applyDataset(checked(input)),
      finish: (input) => a.finishDataset(checked(input) as Parameters<typeof a.finishDataset>[0]),
      reportForbidden: (input) => a.reportDatasetBlocked(checked(input)),
    };
  },
};
