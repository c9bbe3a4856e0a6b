import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

export interface FleetHealthInput {
  /** Evaluate as of this instant (ISO); the wall clock when absent. For tests and backfills. */
  at?: string;
}

/**
 * Every minute (the `fleet-health` schedule): health of every connection, incidents opened and
 * resolved, then the due notifications delivered. Separate from syncs, so alerting never slows one.
 */
export async function fleetHealth(input: FleetHealthInput = {}) {
  const evaluated = await act.evaluateFleetHealth({ ...(input.at && { at: input.at }) });
  const delivered = await act.deliverNotifications({ ...(input.at && { at: input.at }) });
  return { ...evaluated, ...delivered };
}
