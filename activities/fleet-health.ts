import { Context } from '@temporalio/activity';
import { deliverDue, evaluateFleet } from '../services/fleet.js';
import type { Deps } from './deps.js';

/** The fleet-health workflow's activities: evaluate every connection, then deliver due notifications. */
export function fleetHealthActivities(deps: Deps) {
  const { db } = deps.db;
  const nowOf = (at?: string) => (at ? new Date(at) : new Date());
  return {
    async evaluateFleetHealth(input: { at?: string }): Promise<{ connections: number; opened: number; resolved: number }> {
      const result = await evaluateFleet(db, Context.current().client, deps.cipher, { env: deps.alerts ?? {}, allowedHosts: deps.allowedHosts }, nowOf(input.at));
      if (result.opened || result.resolved) deps.logger.info(result, 'incidents changed');
      return result;
    },
    async deliverNotifications(input: { at?: string }): Promise<{ sent: number; retrying: number; failed: number }> {
      const result = await deliverDue(db, deps.cipher, nowOf(input.at));
      if (result.retrying || result.failed) deps.logger.warn(result, 'alert notifications not delivered');
      return result;
    },
  };
}
