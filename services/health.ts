import type { Client, ScheduleDescription } from '@temporalio/client';
import type { Db } from '../db/client.js';
import { loadHealthRows, type HealthRow } from '../db/queries/health.js';
import { cadenceFromSpec } from '../client/schedule-spec.js';
import { describeSchedule } from '../client/schedules.js';

/**
 * A connection's health, computed in one place for the CLI, the console, the metrics and incidents.
 *
 * Precedence (the first state whose condition holds is the connection's state):
 *
 * | state      | condition                                                                  |
 * |------------|----------------------------------------------------------------------------|
 * | auth_error | the last finished run failed with a 401/403 code (AUTH_FAILURE_CODES)      |
 * | failing    | the last finished run failed with any other code                           |
 * | blocked    | the last finished run was stopped by a guard, waiting for confirmation     |
 * | paused     | the schedule is paused, or the connection is not active                    |
 * | stale      | scheduled, and no successful run for twice the schedule's interval         |
 * | never_run  | no finished run yet                                                        |
 * | degraded   | records in quarantine, or open conflicts waiting for a decision            |
 * | ok         | none of the above                                                          |
 *
 * "Last finished run" skips cancelled runs (an operator's choice, not a problem). Dry runs count for
 * failures (an expired key fails a dry run too) but not as successes. Stale counts from the last
 * successful run, or from the connection's creation when it has none; a paused or unknown schedule
 * (Temporal unreachable) is never stale.
 */
export const HEALTH_STATES = ['auth_error', 'failing', 'blocked', 'paused', 'stale', 'never_run', 'degraded', 'ok'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** The conditions that open an incident (services/incidents.ts); several may hold at once. */
export const INCIDENT_KINDS = ['auth_error', 'failing', 'blocked', 'stale', 'degraded'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Failures that mean the key is refused (401/403): rotating it is the fix. */
export const AUTH_FAILURE_CODES: ReadonlySet<string> = new Set([
  'lucca_unauthorized', 'lucca_forbidden', 'happypal_unauthorized', 'happypal_forbidden', 'reflect_unauthorized', 'reflect_forbidden',
]);

/** What health is judged on: the Postgres facts of the connection (db/queries/health.ts), its schedule and the clock. */
export type HealthFacts = Omit<HealthRow, 'id' | 'name' | 'target'> & {
  /** From Temporal: null when the connection has no schedule, 'unknown' when Temporal could not be asked. */
  schedule: { paused: boolean; intervalMs: number | null } | null | 'unknown';
  now: Date;
};

export interface Health {
  state: HealthState;
  /** Why, in a few words, without personal data. */
  cause: string;
  /** Every incident condition that holds, with its cause. */
  conditions: Partial<Record<IncidentKind, string>>;
}

const iso = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;

function hours(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 1 && Number.isInteger(h) ? `${h}h` : `${Math.round(ms / 60_000)} min`;
}

/** The pure rule: facts in, state out. */
export function evaluateHealth(facts: HealthFacts): Health {
  const conditions: Partial<Record<IncidentKind, string>> = {};
  const { lastRun, schedule } = facts;
  if (lastRun?.status === 'failed') {
    const code = lastRun.failureCode ?? 'sync_failed';
    if (AUTH_FAILURE_CODES.has(code)) conditions.auth_error = `the last run was refused by an API key (${code}) at ${iso(lastRun.finishedAt)}`;
    else conditions.failing = `the last run failed (${code}) at ${iso(lastRun.finishedAt)}`;
  }
  if (lastRun?.status === 'blocked') conditions.blocked = `the last run was stopped by a guard at ${iso(lastRun.finishedAt)}, waiting for confirmation`;
  const paused = !facts.active || (schedule !== null && schedule !== 'unknown' && schedule.paused);
  if (!paused && schedule && schedule !== 'unknown' && schedule.intervalMs) {
    const since = facts.lastSuccessAt ?? facts.createdAt;
    if (facts.now.getTime() - since.getTime() > 2 * schedule.intervalMs) {
      conditions.stale = `no successful run since ${iso(since)} (scheduled every ${hours(schedule.intervalMs)})`;
    }
  }
  if (facts.openConflicts > 0 || facts.quarantined > 0) {
    conditions.degraded = `${facts.openConflicts} open conflict(s), ${facts.quarantined} record(s) in quarantine`;
  }
  const pick = (state: HealthState, cause: string): Health => ({ state, cause, conditions });
  for (const kind of ['auth_error', 'failing', 'blocked'] as const) {
    const cause = conditions[kind];
    if (cause) return pick(kind, cause);
  }
  if (paused) return pick('paused', facts.active ? 'the schedule is paused' : 'the connection is not active');
  if (conditions.stale) return pick('stale', conditions.stale);
  if (!lastRun) return pick('never_run', 'no finished run yet');
  if (conditions.degraded) return pick('degraded', conditions.degraded);
  return pick('ok', `last successful run ${facts.lastSuccessAt ? iso(facts.lastSuccessAt) : 'none (dry runs only)'}`);
}

/** The schedule's interval: from its cadence, else the gap between its next two actions. */
export function scheduleInterval(described: ScheduleDescription): number | null {
  const cadence = cadenceFromSpec(described.spec);
  if (cadence) return cadence.kind === 'every-4h' ? 4 * 3_600_000 : 24 * 3_600_000;
  const [a, b] = described.info.nextActionTimes;
  return a && b ? b.getTime() - a.getTime() : null;
}

export interface ConnectionHealth {
  connection: { id: string; name: string; target: string };
  health: Health;
}

export type ScheduleFacts = HealthFacts['schedule'];

/** What health needs from a described schedule (undefined: none; 'unavailable': Temporal not reached). */
export function scheduleFacts(described: ScheduleDescription | undefined | 'unavailable'): ScheduleFacts {
  if (described === 'unavailable') return 'unknown';
  return described ? { paused: described.state.paused, intervalMs: scheduleInterval(described) } : null;
}

/** Asks Temporal for each connection's schedule; 'unknown' without a client or when it fails. */
export function schedulesFrom(client: Client | null): (name: string) => Promise<ScheduleFacts> {
  return async (name) => {
    if (!client) return 'unknown';
    try {
      return scheduleFacts(await describeSchedule(client, name));
    } catch {
      return 'unknown';
    }
  };
}

/** Health of every connection (or of those named), from Postgres and the schedules' facts. */
export async function computeHealth(
  db: Db, scheduleOf: (name: string) => Promise<ScheduleFacts>, now: Date, names?: readonly string[],
): Promise<ConnectionHealth[]> {
  const rows = await loadHealthRows(db, names);
  const schedules = await Promise.all(rows.map((row) => scheduleOf(row.name)));
  return rows.map((row, i) => ({
    connection: { id: row.id, name: row.name, target: row.target },
    health: evaluateHealth({
      active: row.active, createdAt: row.createdAt, lastRun: row.lastRun, lastSuccessAt: row.lastSuccessAt,
      openConflicts: row.openConflicts, quarantined: row.quarantined, schedule: schedules[i] ?? 'unknown', now,
    }),
  }));
}

/** Parses `--health failing,stale` (repeatable); throws with the list of states on a bad one. */
export function parseHealthStates(values: readonly string[]): HealthState[] {
  const states = values.flatMap((v) => v.split(',')).map((v) => v.trim().replace(/[- ]/g, '_')).filter(Boolean);
  for (const state of states) {
    if (!(HEALTH_STATES as readonly string[]).includes(state)) {
      throw new RangeError(`unknown health state "${state}": expected one of ${HEALTH_STATES.join(', ')}`);
    }
  }
  return states as HealthState[];
}
