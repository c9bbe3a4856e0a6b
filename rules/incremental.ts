/**
 * Incremental reads of Lucca users for HappyPal (issue 21, "resyncs that read less"). Pure.
 *
 * A run reads either everything (a *full read*) or only what can have changed since the connection's
 * cursor (an *incremental read*): three parts, each one Lucca query.
 * - `modifiedAt=since,{cursor − overlap}`: every user Lucca stamped as modified since the last
 *   successful run started reading (Lucca's `since` includes its bound: RDD `Since` is `>=`).
 * - `dtContractEnd=between,{day before the cursor's day − 1},{today}`: contracts that ended between the
 *   two runs without the record being modified (a contract end entered months ago takes effect on
 *   its own day: the profile is deactivated the day after, with no `modifiedAt` to show it).
 * - `id={ids}`: records the last run could not settle and that must be re-judged whether or not
 *   Lucca changed them (quarantined, open conflicts, ambiguous, refused by the target).
 *
 * The cursor is the instant the last successful run *started* reading (our clock), not the largest
 * `modifiedAt` seen: a change made while that run was reading is read again, never skipped. It
 * moves only when a run completes and its plan is committed (activities/runs.ts finishRun).
 *
 * Lucca compares `modifiedAt` on Paris wall-clock time without an offset (docs/lucca-simulator.md,
 * "Date-time filters"). The value we send is the cursor minus `OVERLAP_MS` written as Paris wall
 * time, and stepped back further by every hour Paris's clock goes back between the cursor and now
 * (the autumn change repeats 02:00–03:00: a change made at 02:30 of the second pass is stamped
 * before a cursor taken at 02:45 of the first). The overlap covers clock skew between our workers
 * and Lucca's servers.
 *
 * What only a full read sees, and why one comes back every `fullReadDays` (default 7):
 * - people Lucca no longer returns at all (deleted, or hidden by a lost permission): an incremental
 *   read cannot tell "not modified" from "gone", so their profiles are deactivated by the next full read;
 * - hand edits on HappyPal to people Lucca did not change: HappyPal has no modified-since filter
 *   (docs/happypal-api.md), so an incremental run reads only the profiles of the people it read from
 *   Lucca; other hand edits are found, and handled by the connection's policy, at the next full read;
 * - the visibility guard's comparison (how many people and values the key sees): an incremental read
 *   sees too few records to compare. A field the key can no longer see is still never written on
 *   an incremental run (a hidden value is unknown, never empty: visibility.ts), so a lost permission
 *   cannot damage a profile in between; it is reported and guarded at the next full read.
 * A week bounds each of these to seven days while a daily schedule reads incrementally six runs out
 * of seven. `sync run --full` forces a full read at any time; `--full-read-days 0` makes every run full.
 */
import { isValidIsoDate } from './person.js';

export const LUCCA_TIME_ZONE = 'Europe/Paris';
/** Clock skew between our workers and Lucca, and a change committed while the last read started. */
export const OVERLAP_MS = 5 * 60_000;
export const DEFAULT_FULL_READ_DAYS = 7;
/** Schedules drift by seconds or minutes: a full read due "in a moment" is due now (as Reflect's). */
const CADENCE_SLACK_MS = 60 * 60 * 1000;
const DAY_MS = 86_400_000;

export interface UsersCursor {
  /** When the last successful run started reading (null: never). */
  lastSince: Date | null;
  /** When the last successful full read started (null: never). */
  lastFullReadAt: Date | null;
  /**
   * Wall-clock start of the last successful run (the connection's settings as of then were applied).
   * Compared with the connection's own `updatedAt`, always wall-clock time, whatever clock `now` is.
   */
  settingsSeenAt?: Date | null;
}

export type FullReadReason = 'first' | 'forced' | 'due' | 'settings';

export interface UsersReadPlan {
  full: boolean;
  /** Why the read is full; null on an incremental read. */
  fullReason: FullReadReason | null;
  /** ISO instant the read starts: the next run's cursor once this one completes. */
  readStartedAt: string;
  /** Incremental: the cursor this read starts from (ISO instant, before the overlap). Null on a full read. */
  cursorAt: string | null;
  /** Incremental: Lucca `modifiedAt=since,` value (Paris wall time, no offset). Null on a full read. */
  modifiedSince: string | null;
  /** Incremental: contracts that ended between the runs (`dtContractEnd=between,from,to`, plain dates). */
  endedBetween: { from: string; to: string } | null;
}

/** Decides once, at the start of a run, whether it reads everything or what changed since the cursor. */
export function decideUsersRead(input: {
  now: Date;
  /** Today by the sync's clock, `YYYY-MM-DD`. */
  today: string;
  cursor: UsersCursor | undefined;
  fullReadDays: number;
  /** `sync run --full`. */
  forceFull?: boolean;
  /**
   * When the connection's settings last changed (policies, keys, URLs): a change after the last
   * successful run started makes this read full, so a new policy or key applies to every record, not
   * only to the changed ones.
   */
  settingsChangedAt?: Date;
}): UsersReadPlan {
  const { now, today, cursor, fullReadDays } = input;
  if (!isValidIsoDate(today)) throw new RangeError('decideUsersRead: today must be a YYYY-MM-DD date');
  if (!Number.isInteger(fullReadDays) || fullReadDays < 0) throw new RangeError('decideUsersRead: fullReadDays must be a whole number ≥ 0');
  const readStartedAt = now.toISOString();
  const lastFull = cursor?.lastFullReadAt?.getTime();
  const since = cursor?.lastSince?.getTime();
  const fullReason: FullReadReason | null =
    since === undefined || lastFull === undefined ? 'first'
      : input.forceFull ? 'forced'
        : input.settingsChangedAt && cursor?.settingsSeenAt && input.settingsChangedAt.getTime() > cursor.settingsSeenAt.getTime() ? 'settings'
        : now.getTime() - lastFull >= fullReadDays * DAY_MS - CADENCE_SLACK_MS ? 'due'
          // A cursor in the future (a clock moved back) proves nothing about what was read: read everything.
          : since > now.getTime() ? 'due'
            : null;
  if (fullReason !== null || since === undefined) {
    return { full: true, fullReason: fullReason ?? 'first', readStartedAt, cursorAt: null, modifiedSince: null, endedBetween: null };
  }
  return {
    full: false,
    fullReason: null,
    readStartedAt,
    cursorAt: new Date(since).toISOString(),
    modifiedSince: luccaSince(new Date(since), now),
    // From two days before the cursor's UTC day: whatever "today" meant then (UTC or Paris), a contract
    // whose last day was the day before the last run's today is inside.
    endedBetween: { from: isoDay(since - 2 * DAY_MS), to: today },
  };
}

/**
 * The `modifiedAt=since,` value for a cursor: Paris wall time of `cursor − overlap`, stepped back by
 * the largest drop of Paris's UTC offset between then and `now`, so that every change made at or
 * after `cursor − overlap` has a wall-clock stamp at or after it. Seconds are truncated (never rounded
 * up): Lucca's `since` includes its bound, and a stamp with milliseconds at that second is still read.
 */
export function luccaSince(cursor: Date, now: Date, overlapMs = OVERLAP_MS): string {
  const from = cursor.getTime() - overlapMs;
  const to = Math.max(from, now.getTime());
  const wall = from + minOffsetMs(from, to);
  return new Date(Math.floor(wall / 1000) * 1000).toISOString().slice(0, 19);
}

/** Paris wall time of an instant, `YYYY-MM-DDTHH:MM:SS` (how Lucca writes its date-times). */
export function parisWallTime(at: Date): string {
  const ms = at.getTime();
  return new Date(ms + parisOffsetMs(ms)).toISOString().slice(0, 19);
}

/** The smallest Paris offset over [from, to], sampled at both ends and every 6 hours between (offsets last months). */
function minOffsetMs(from: number, to: number): number {
  let min = Math.min(parisOffsetMs(from), parisOffsetMs(to));
  const step = 6 * 3_600_000;
  // A cursor older than two years: the winter offset is the smallest there is; no need to walk it.
  const start = Math.max(from, to - 2 * 366 * DAY_MS);
  for (let t = start; t < to; t += step) min = Math.min(min, parisOffsetMs(t));
  return min;
}

const OFFSET_FORMAT = new Intl.DateTimeFormat('en-US', {
  timeZone: LUCCA_TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
});

/** Europe/Paris's offset from UTC at an instant (ms): 3,600,000 in winter, 7,200,000 in summer. */
export function parisOffsetMs(instantMs: number): number {
  const at = Math.floor(instantMs / 1000) * 1000;
  const p = Object.fromEntries(OFFSET_FORMAT.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - at;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Ids per `id=` query: a URL stays far below Lucca's limits (8 KB of headers, 431). */
export const IDS_PER_QUERY = 200;

/** Cuts the ids to re-read into `id=` query values, sorted numerically, without duplicates. */
export function idQueries(ids: Iterable<string>, perQuery = IDS_PER_QUERY): string[] {
  const unique = [...new Set([...ids].filter((id) => /^\d+$/.test(id)))].sort((a, b) => Number(a) - Number(b));
  const out: string[] = [];
  for (let i = 0; i < unique.length; i += perQuery) out.push(unique.slice(i, i + perQuery).join(','));
  return out;
}

/**
 * Whether a completed run may move the cursor: a dry run writes nothing, and a run the guard
 * blocked wrote nothing either; the next run must read what they read again.
 */
export function cursorMoves(run: { status: string; dryRun: boolean }): boolean {
  return run.status === 'completed' && !run.dryRun;
}

/**
 * What an incremental run reads from the target: the profile of each person it read from Lucca,
 * by link (one `GET /v1/users/:id`) or, for a person with no link yet, every profile with their
 * email (one `GET /v1/users?email=`: the matcher needs all of them to see duplicates). Each lookup is
 * one request against a full read's one page of 1,000: past `max(200, pages of a full read)` lookups
 * the whole target is read instead, which also keeps a large change under HappyPal's rate limit.
 */
export interface TargetLookups { ids: string[]; emails: string[] }

export const TARGET_LOOKUPS_MIN = 200;
const TARGET_PAGE = 1000;

export function targetLookups(sources: readonly { sourceId: string; targetId: string | null; email: string | null }[]): TargetLookups {
  const ids = new Set<string>();
  const emails = new Map<string, string>();
  for (const s of sources) {
    if (s.targetId !== null) ids.add(s.targetId);
    else if (s.email !== null && s.email.trim() !== '') {
      const key = s.email.trim().normalize('NFC').toLowerCase();
      if (!emails.has(key)) emails.set(key, s.email.trim());
    }
  }
  return { ids: [...ids].sort(), emails: [...emails.values()].sort() };
}

/** Whether looking the profiles up one by one is cheaper than reading the whole target. */
export function lookUpTargets(lookups: TargetLookups, linked: number): boolean {
  return lookups.ids.length + lookups.emails.length <= Math.max(TARGET_LOOKUPS_MIN, Math.ceil(linked / TARGET_PAGE));
}
