import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { AlertEnv } from '../config/env.js';
import type { Db } from '../db/client.js';
import type { CredentialCipher } from '../lib/credentials.js';
import { applyEnvChannels, deliverDue } from './alerts.js';
import { computeHealth, schedulesFrom } from './health.js';
import { recordHealth } from './incidents.js';

export const FLEET_HEALTH_WORKFLOW_TYPE = 'fleetHealth';
export const FLEET_HEALTH_SCHEDULE_ID = 'fleet-health';

/**
 * One evaluation of the whole fleet: health of every connection, incidents opened and resolved
 * (their notifications queued in the same transactions). Stale detection needs this periodic pass.
 */
export async function evaluateFleet(
  db: Db, client: Client | null, cipher: CredentialCipher, alerts: { env: AlertEnv; allowedHosts: readonly string[] }, now: Date,
): Promise<{ connections: number; opened: number; resolved: number }> {
  await applyEnvChannels(db, alerts.env, cipher, alerts.allowedHosts);
  const evaluated = await computeHealth(db, schedulesFrom(client), now);
  const { opened, resolved } = await recordHealth(db, evaluated, now);
  return { connections: evaluated.length, opened, resolved };
}

export { deliverDue };

/**
 * The schedule running the fleetHealth workflow every minute (skip when one is still running).
 * Created by each worker at start; idempotent.
 */
export async function ensureFleetHealthSchedule(client: Client, taskQueue: string): Promise<void> {
  const action = { type: 'startWorkflow' as const, workflowType: FLEET_HEALTH_WORKFLOW_TYPE, taskQueue, workflowId: FLEET_HEALTH_SCHEDULE_ID, args: [{}] };
  try {
    await client.schedule.create({
      scheduleId: FLEET_HEALTH_SCHEDULE_ID,
      spec: { intervals: [{ every: '1 minute' }] },
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute', pauseOnFailure: false },
      state: { note: 'Health of every connection, incidents and alert notifications' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    // Already there: keep it on this worker's task queue (an operator's pause is kept).
    await client.schedule.getHandle(FLEET_HEALTH_SCHEDULE_ID).update((previous) => ({ ...previous, action }));
  }
}
