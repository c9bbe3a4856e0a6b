import type { Deps } from '../../deps.js';
import { reflectActivities } from './activities.js';
import { reflectApplyActivities } from './apply.js';

/** Every Reflect dataset activity, registered with the others in activities/index.ts. */
export function reflectDatasetActivities(deps: Deps) {
  return { ...reflectActivities(deps), ...reflectApplyActivities(deps) };
}

export { REFLECT_DATASETS } from './model.js';
export type { ReadPlan } from './read-plan.js';
export type { ReadCursor } from './readers.js';
