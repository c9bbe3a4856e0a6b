import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
} from '@temporalio/client';
import { targetLabel, type TargetName } from '../activities/targets/registry.js';
import { scheduleIdFor, SYNC_WORKFLOW_TYPE, type SyncInput } from '../workflows/contracts.js';
import { RUN_BUDGET_MS } from '../workflows/policies.js';
import { DEFAULT_SCHEDULE_JITTER_SECONDS } from '../config/env.js';
import { describeCadence, specFor, type Cadence } from './schedule-spec.js';

/** What a schedule needs to know about its connection: ids and readable labels, never keys. */
export interface ScheduledConnection {
  id: string;
  name: string;
  target: TargetName;
}

export interface EnsureScheduleInput {
  connection: ScheduledConnection;
  cadence: Cadence;
  taskQueue: string;
  /** Undefined keeps an existing schedule's paused state (a new one starts running). */
  paused?: boolean;
  /** SCHEDULE_JITTER_SECONDS: each start lands up to this many seconds after its time (default DEFAULT_SCHEDULE_JITTER_SECONDS). */
  jitterSeconds?: number | undefined;
}

export const CATCHUP_WINDOW = '1 hour';

/** The readable note shown in the Web UI and `connection show`: connection, target, cadence. */
export function scheduleNote(connection: ScheduledConnection, cadence: Cadence): string {
  return `Lucca → ${targetLabel(connection.target)} sync of "${connection.name}", ${describeCadence(cadence)}`;
}

/**
 * Temporal's schedule jitter: every start is delayed by a pseudo-random 0 to `seconds`, drawn per
 * schedule and per slot. Hundreds of connections set for 06:00 Paris then start spread over those
 * seconds instead of in one burst, while each keeps its readable time ("daily at 06:00") and the
 * nominal time stays on the run (TemporalScheduledStartTime). Chosen over a stagger computed from the
 * connection id: nothing to store or recompute when connections come and go, and Temporal shows it
 * in the schedule's description. The delay must stay well inside the catch-up window (one hour).
 */
export function jitterFor(seconds: number): { jitter?: string } {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
    throw new RangeError(`schedule jitter must be a whole number of seconds from 0 to 3600 (SCHEDULE_JITTER_SECONDS), not ${seconds}`);
  }
  return seconds > 0 ? { jitter: `${seconds} seconds` } : {};
}

function scheduleBody(input: EnsureScheduleInput) {
  const { connection, cadence, taskQueue } = input;
  // The run's time budget follows the cadence: it always ends before the next slot (workflows/policies.ts).
  const args: [SyncInput] = [{ connectionId: connection.id, trigger: 'schedule', budgetMs: RUN_BUDGET_MS[cadence.kind] }];
  return {
    spec: { ...specFor(cadence), ...jitterFor(input.jitterSeconds ?? DEFAULT_SCHEDULE_JITTER_SECONDS) },
    action: {
      type: 'startWorkflow' as const,
      workflowType: SYNC_WORKFLOW_TYPE,
      taskQueue,
      // Temporal appends the action's timestamp: sync-<name>-2025-09-01T04:00:00Z.
      workflowId: scheduleIdFor(connection.name),
      args,
    },
    policies: {
      // Two syncs of one connection never run at once; a late server catches up for an hour at most.
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: CATCHUP_WINDOW,
      pauseOnFailure: false,
    },
  };
}

/** Creates the connection's schedule, or updates it in place when it exists (idempotent). */
export async function ensureSchedule(client: Client, input: EnsureScheduleInput): Promise<'created' | 'updated'> {
  const scheduleId = scheduleIdFor(input.connection.name);
  const note = scheduleNote(input.connection, input.cadence);
  const body = scheduleBody(input);
  const options: ScheduleOptions = {
    scheduleId,
    ...body,
    memo: { connection: input.connection.name, target: targetLabel(input.connection.target), purpose: 'Lucca employee sync' },
    state: { paused: input.paused ?? false, note },
  };
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => {
    const paused = input.paused ?? previous.state.paused;
    // A paused schedule keeps its pause reason; a running one gets the fresh description.
    const keepNote = paused && previous.state.paused && input.paused === undefined;
    return { ...body, state: { paused, note: keepNote ? (previous.state.note ?? note) : note } };
  });
  return 'updated';
}

/** Undefined when the connection has no schedule (inactive, or removed behind our back). */
export async function describeSchedule(client: Client, name: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(scheduleIdFor(name)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

export async function pauseSchedule(client: Client, name: string, reason?: string): Promise<void> {
  await client.schedule.getHandle(scheduleIdFor(name)).pause(reason ? `Paused: ${reason}` : 'Paused by an operator');
}

export async function resumeSchedule(client: Client, connection: ScheduledConnection, cadence: Cadence | null): Promise<void> {
  const note = cadence ? scheduleNote(connection, cadence) : `Resumed: sync of "${connection.name}"`;
  await client.schedule.getHandle(scheduleIdFor(connection.name)).unpause(note);
}

/** "Sync now" through the schedule: never alongside a running sync (explicit SKIP, not the SDK's ALLOW_ALL). */
export async function triggerSchedule(client: Client, name: string): Promise<void> {
  await client.schedule.getHandle(scheduleIdFor(name)).trigger(ScheduleOverlapPolicy.SKIP);
}

/** Deletes the schedule; false when there was none. */
export async function deleteSchedule(client: Client, name: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(scheduleIdFor(name)).delete();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}
