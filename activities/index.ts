import { clearRunRetrying, noteRunRetrying } from '../db/queries/runs.js';
import { applyActivities } from './targets/happypal/apply.js';
import type { Deps } from './deps.js';
import { withFailureMapping } from './errors.js';
import { fetchActivities } from './targets/happypal/fetch.js';
import { fleetHealthActivities } from './fleet-health.js';
import { planActivities } from './targets/happypal/plan.js';
import { reflectDatasetActivities } from './targets/reflect/index.js';
import { runActivities } from './runs.js';

/** The one registration point of activities: every one gets its dependencies here, none reads globals. */
export function createActivities(deps: Deps) {
  // While an activity of a run retries, the run's row says why (`runs list`, the report).
  const hooks = {
    retrying: (runId: string, message: string) => noteRunRetrying(deps.db.db, runId, message),
    recovered: (runId: string) => clearRunRetrying(deps.db.db, runId),
  };
  return withFailureMapping({
    ...runActivities(deps),
    ...fetchActivities(deps),
    ...planActivities(deps),
    ...applyActivities(deps),
    ...reflectDatasetActivities(deps),
    ...fleetHealthActivities(deps),
  }, hooks);
}

export type Activities = ReturnType<typeof createActivities>;
export type { Deps } from './deps.js';
