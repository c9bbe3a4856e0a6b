/**
 * What one dataset reads from Lucca in one run, decided once at the start of the dataset's sync
 * (and carried by its workflow, so a retried read never changes its mind). Pure.
 *
 * - employees: `modifiedAt=since` from the read start of the last successful sync, minus an
 *   overlap (Lucca's date-times carry no offset: our UTC `since` read as Paris time only widens
 *   the window, it never skips a change).
 * - absences: a date window (Lucca insists on one, plus an owner filter): recent past and the year
 *   ahead on a daily run, a year back and the year ahead on a full read.
 * - expenses: `modifiedOn=since`, same overlap.
 * - compensation: read whole on every run: it is small (a few items per person, 1000 per page);
 *   with the work contracts, whose establishment gives each pay item its currency.
 * - with a scope on the connection (rules/scope.ts), compensation, absences and expenses also read
 *   every user's org ids (`org`, the users list with SCOPE_USER_FIELDS, former employees included),
 *   so each record follows its owner's scope (scope.ts); the employees read asks for the org ids with
 *   its own fields.
 * A full re-read every `fullReadDays` (weekly by default) reads everything, so records we wrote that
 * Lucca no longer returns, which Lucca deletes without telling, are deleted from Reflect.
 */
import type { ReflectDataset } from './schemas.js';
import { addDays } from './model.js';
import type { LeaveWindow } from './group-absences.js';

export type ReadPart =
  | { kind: 'users'; since: string | null }
  | { kind: 'leaves'; from: string; to: string }
  | { kind: 'expense-claims'; since: string | null }
  | { kind: 'fixed-items' }
  | { kind: 'variable-items' }
  | { kind: 'work-contracts' }
  /** Every user's id and org ids, for the scope (read whole: a person's scope is not a modification of their records). */
  | { kind: 'org' };

export interface ReadPlan {
  dataset: ReflectDataset;
  /** Everything this dataset syncs is read: what we wrote and no longer see was deleted in Lucca. */
  full: boolean;
  /** ISO instant the incremental read starts from (overlap applied), or null for a full read. */
  since: string | null;
  /** ISO instant the read started: the next run's `since`. */
  readStartedAt: string;
  parts: ReadPart[];
  /** Absences only: the date window read. */
  window: LeaveWindow | null;
  /**
   * The connection had a scope when the read was decided: the read carries the org ids and the plan
   * applies the scope. Absent in plans decided before scopes reached Reflect (no scope then).
   */
  scoped?: boolean;
}

export interface DatasetCursorRow {
  lastSince: Date | null;
  lastFullReadAt: Date | null;
}

export const OVERLAP_MINUTES = 5;
export const LEAVES_PAST_DAYS_FULL = 365;
export const LEAVES_PAST_DAYS_DAILY = 35;
export const LEAVES_FUTURE_DAYS = 365;
/** A leave period with a half-day this close to a window's end may continue past it. */
export const LEAVES_EDGE_DAYS = 7;
/** Schedules drift by seconds; a full read due "in a minute" is due now. */
const CADENCE_SLACK_MS = 60 * 60 * 1000;

/** Lucca v3 date-time without offset: `2025-09-01T07:55:00`. */
export const luccaDateTime = (iso: string) => iso.slice(0, 19);

export function decideReadPlan(input: {
  dataset: ReflectDataset;
  now: Date;
  /** Today by the sync's clock, `YYYY-MM-DD`. */
  today: string;
  cursor: DatasetCursorRow | undefined;
  fullReadDays: number;
  /** An operator's full resync (`sync run --full`): read everything whatever the cursor says. */
  full?: boolean;
  /** The connection has a (non-empty) scope. */
  scoped?: boolean;
}): ReadPlan {
  const { dataset, now, today, cursor, fullReadDays } = input;
  const readStartedAt = now.toISOString();
  const lastFull = cursor?.lastFullReadAt?.getTime();
  const due = lastFull === undefined || now.getTime() - lastFull >= fullReadDays * 86_400_000 - CADENCE_SLACK_MS;
  const full = !!input.full || dataset === 'compensation' || !cursor?.lastSince || due;
  const since = full || !cursor?.lastSince ? null : new Date(cursor.lastSince.getTime() - OVERLAP_MINUTES * 60_000).toISOString();
  const base = { dataset, full, since, readStartedAt, window: null, ...(input.scoped && { scoped: true }) };
  // The other datasets learn each owner's org from a read of their own (datasets run side by side).
  const org: ReadPart[] = input.scoped ? [{ kind: 'org' }] : [];
  switch (dataset) {
    case 'employees':
      return { ...base, parts: [{ kind: 'users', since }] };
    case 'expenses':
      return { ...base, parts: [{ kind: 'expense-claims', since }, ...org] };
    case 'compensation':
      return { ...base, parts: [{ kind: 'fixed-items' }, { kind: 'variable-items' }, { kind: 'work-contracts' }, ...org] };
    case 'absences': {
      const window: LeaveWindow = {
        from: addDays(today, -(full ? LEAVES_PAST_DAYS_FULL : LEAVES_PAST_DAYS_DAILY)),
        to: addDays(today, LEAVES_FUTURE_DAYS),
        edgeDays: LEAVES_EDGE_DAYS,
      };
      // A window is read whole, so `since` plays no part: the window is the incremental read.
      return { ...base, since: null, window, parts: [{ kind: 'leaves', from: window.from, to: window.to }, ...org] };
    }
  }
}
