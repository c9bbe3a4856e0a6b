import type { TargetConnector } from '../connector.js';
import { reflectActivities } from './activities.js';
import { reflectApplyActivities } from './apply.js';
import { createReflectClient } from './client.js';
import { ReflectDatasetSchema } from './schemas.js';
import { REFLECT } from './target.js';
import { snapshotSourceIds } from '../../../db/queries/datasets.js';

/**
 * Reflect as a target: four datasets, each read in full or from its cursor (read-plan.ts), diffed
 * against what we last wrote, written in batches, its cursor moved on at the end.
 */
export const reflectConnector: TargetConnector<'reflect'> = {
  ...REFLECT,
  async checkKey(endpoint) {
    await createReflectClient(endpoint).listRecords('employees', 1, 1);
  },
  // Every dataset follows the scope: scope.ts says what it does to each.
  scope: {
    writtenPeople: (db, connectionId) => snapshotSourceIds(db, { connectionId, dataset: 'employees' }),
    words: {
      written: 'employee record(s) written to Reflect',
      leaving: 'ended if their contract still runs (contract end set to the day of the sync, as for a leaver)',
      joining: 'not on Reflect yet (created)',
      others: 'Compensation, absences and expense reports of people outside the scope are not written; what Reflect has of people who leave it stays as it is.',
    },
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
