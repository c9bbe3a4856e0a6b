import { clearRunRetrying, noteRunRetrying } from '../db/queries/runs.js';
import { applyActivities } from './targets/happypal/apply.js';
import type { Deps } from './deps.js';
import { withFailureMapping } from './errors.js';
import { fetchActivities } from './targets/happypal/fetch.js';
import { fleetHealthActivities } from './fleet-health.js';
import { planActivities } from './targets/happypal/plan.js';
import { runActivities } from './runs.js';
import type { Connectors } from './targets/connector.js';
import { CONNECTORS } from './targets/connectors.js';
import { datasetActivities } from './targets/dataset-activities.js';

/**
 * The one registration point of activities: every one gets its dependencies here, none reads globals.
 * `connectors`: the targets this worker runs (every registered one; tests may add their own).
 */
export function createActivities(deps: Deps, connectors: Connectors = CONNECTORS) {
  // While an activity of a run retries, the run's row says why (`runs list`, the report).
  const hooks = {
    retrying: (runId: string, message: string) => noteRunRetrying(deps.db.db, runId, message),
    recovered: (runId: string) => clearRunRetrying(deps.db.db, runId),
  };
  return withFailureMapping({
    ...runActivities(deps, connectors),
    ...datasetActivities(deps, connectors),
    // HappyPal runs that began before every target ran as datasets call these by name
    // (workflows/sync-connection.workflow.ts, legacy path): registered until the patch is retired.
    ...fetchActivities(deps),
    ...planActivities(deps),
    ...applyActivities(deps),
    ...fleetHealthActivities(deps),
  }, hooks);
}

export type Activities = ReturnType<typeof createActivities>;
export type { Deps } from './deps.js';
