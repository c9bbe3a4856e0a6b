/**
 * "Unknown is not empty" (docs/design.md §3): what a Lucca key cannot see, and the visibility guard.
 * Lucca filters silently by the key's role: a field the role may not read is left out of the record
 * or served as `null`, depending on the resource, and people the role may not see are not returned
 * at all. A value the key cannot see is never written and never counts as a change. Pure.
 *
 * Detection (exact rules):
 * - A hideable field whose key is left out of a record is unknown for that record.
 * - A hideable field is hidden run-wide (unknown for every record) when no record read carries a
 *   value for it AND at least {@link MIN_CLEARED_FOR_HIDDEN} records read carry `null` where what we
 *   last synced for them (the snapshot) holds a value. The second condition keeps real clears
 *   syncing: one person whose birth date was cleared in Lucca is one `null` against a snapshot
 *   value, below the threshold, so it syncs as a change (and anyone else with a value in the read
 *   rules the field visible anyway). Without snapshots (a first sync) nothing is hidden run-wide:
 *   `connection test` flags hidden fields at setup. Known limit: two or more people cleared in the
 *   same read while nobody read has a value (only possible in a tiny or incremental read) are taken
 *   for hidden, and kept; they sync once any record read carries a value again.
 * - Names and email are required: a record without them is quarantined (nothing is written), so
 *   they are counted by the guard but never "unknown".
 *
 * The visibility guard compares this read with the last successful run's counts
 * ({@link VisibilityCounts}, kept on sync_runs.visibility) and stops the run before any write when
 * the key sees markedly less, see {@link guardVisibility}.
 */
import { z } from 'zod';
import { parseLuccaDate, SYNCED_FIELDS, type SyncedField } from './person.js';

/** Fields a key's role may hide without the record becoming unusable. */
export const HIDEABLE_FIELDS = ['birthDate', 'contractStart', 'contractEnd'] as const satisfies readonly SyncedField[];
export type HideableField = (typeof HIDEABLE_FIELDS)[number];

export const isHideable = (field: string): field is HideableField => (HIDEABLE_FIELDS as readonly string[]).includes(field);

/** Our field → the Lucca v3 user property it is read from. */
export const LUCCA_KEY: Record<SyncedField, string> = {
  firstName: 'firstName', lastName: 'lastName', email: 'mail', birthDate: 'birthDate', contractStart: 'dtContractStart', contractEnd: 'dtContractEnd',
};

const ROLES = "Lucca › Organization › Roles, the API key's role";

/** The Lucca permission (Co-workers tab of the key's role) that shows each field, in Lucca's words. */
export const FIELD_PERMISSION: Record<SyncedField, string> = {
  firstName: '"Consult users"',
  lastName: '"Consult users"',
  email: '"Consult users"',
  birthDate: '"Consult HR files" › the section holding the birth date',
  contractStart: '"Consult users" (contract dates)',
  contractEnd: '"Consult users" (contract dates)',
};

/** Minimum `null`-against-a-snapshot-value records before a field with no value at all is taken for hidden. */
export const MIN_CLEARED_FOR_HIDDEN = 2;

/** Per hideable field: records read with a value, and records read with `null` whose snapshot holds a value. */
export interface FieldEvidence {
  valued: number;
  cleared: number;
}
export type Evidence = Record<HideableField, FieldEvidence>;

export const emptyEvidence = (): Evidence =>
  Object.fromEntries(HIDEABLE_FIELDS.map((f) => [f, { valued: 0, cleared: 0 }])) as Evidence;

/**
 * Adds one raw Lucca record and its snapshot (what we last synced, by our field names) to the
 * evidence. The database form of the same count is db/queries/visibility.ts (fieldEvidence).
 */
export function addEvidence(evidence: Evidence, raw: unknown, snapshot: Record<string, string | null> | undefined): void {
  if (typeof raw !== 'object' || raw === null) return;
  for (const field of HIDEABLE_FIELDS) {
    const key = LUCCA_KEY[field];
    if (!Object.hasOwn(raw, key)) continue;
    const value = (raw as Record<string, unknown>)[key];
    if (value !== null && value !== undefined) evidence[field].valued += 1;
    else if (value === null && typeof snapshot?.[field] === 'string') evidence[field].cleared += 1;
  }
}

/** The fields hidden run-wide (see the module comment). */
export function hiddenFields(evidence: Evidence): HideableField[] {
  return HIDEABLE_FIELDS.filter((f) => evidence[f].valued === 0 && evidence[f].cleared >= MIN_CLEARED_FOR_HIDDEN);
}

/** Hideable fields whose key a raw record leaves out. */
export function omittedFields(raw: unknown): HideableField[] {
  if (typeof raw !== 'object' || raw === null) return [];
  return HIDEABLE_FIELDS.filter((f) => !Object.hasOwn(raw, LUCCA_KEY[f]));
}

// --- What a read shows, and the guard ------------------------------------------------------------

export const VisibilityCountsSchema = z.object({
  /** The run's today (`YYYY-MM-DD`): former and future are counted as of this day. */
  day: z.string(),
  /** Every record read. */
  read: z.number().int().nonnegative(),
  /** Contract ended before `day`. */
  former: z.number().int().nonnegative(),
  /** Contract starts after `day`. */
  future: z.number().int().nonnegative(),
  /** Records read with a value, per field (a key left out or `null` is no value). */
  valued: z.record(z.string(), z.number().int().nonnegative()),
});
export type VisibilityCounts = z.infer<typeof VisibilityCountsSchema>;

/**
 * Counts a read record by record: what is stored for the next run (as of `today`), and the same
 * populations as of the baseline's day, so people who started or left since are not mistaken
 * for people the key no longer sees.
 */
export function createTally(today: string, baselineDay: string | null) {
  const now: VisibilityCounts = { day: today, read: 0, former: 0, future: 0, valued: Object.fromEntries(SYNCED_FIELDS.map((f) => [f, 0])) };
  const atBaseline = { former: 0, future: 0 };
  return {
    add(raw: unknown): void {
      now.read += 1;
      if (typeof raw !== 'object' || raw === null) return;
      const r = raw as Record<string, unknown>;
      for (const field of SYNCED_FIELDS) {
        const v = Object.hasOwn(r, LUCCA_KEY[field]) ? r[LUCCA_KEY[field]] : null;
        if (v !== null && v !== undefined && v !== '') now.valued[field] = (now.valued[field] ?? 0) + 1;
      }
      const start = dateOf(r.dtContractStart);
      const end = dateOf(r.dtContractEnd);
      if (end !== null && end < today) now.former += 1;
      if (start !== null && start > today) now.future += 1;
      if (baselineDay !== null) {
        if (end !== null && end < baselineDay) atBaseline.former += 1;
        if (start !== null && start > baselineDay) atBaseline.future += 1;
      }
    },
    counts: (): VisibilityCounts => ({ ...now, valued: { ...now.valued } }),
    atBaseline: () => ({ ...atBaseline }),
  };
}

function dateOf(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const r = parseLuccaDate(v);
  return r.ok ? r.value : null;
}

/** A population or a field shrinks when at least this many people are gone… */
export const SHRINK_MIN_PEOPLE = 3;
/** …and they are at least this share of what there was. */
export const SHRINK_PCT = 25;
export const CONFIRM_VISIBILITY_FLAG = '--confirm-visibility';

export interface Shrink {
  what: 'field' | 'former' | 'future' | 'current';
  field?: SyncedField;
  before: number;
  now: number;
  permission: string;
}

export interface GuardVisibilityInput {
  /** The last successful run's counts; null = nothing to compare with (first run). */
  baseline: VisibilityCounts | null;
  now: VisibilityCounts;
  /** This read's former and future people as of the baseline's day (createTally().atBaseline()). */
  nowAtBaseline: { former: number; future: number };
  override: boolean;
}

export interface GuardVisibilityResult {
  allowed: boolean;
  shrinks: Shrink[];
  /** Set when something shrank: the guard's message (blocked), or a note (confirmed). PII-free. */
  message: string | null;
}

const gone = (before: number, now: number) => before - now >= SHRINK_MIN_PEOPLE && (before - now) * 100 >= SHRINK_PCT * before;

/**
 * The visibility guard (docs/design.md §3), like the deactivation guard: compares what the key sees now
 * with the last successful run and stops the run before writing when it shrank:
 * - former employees (contract ended before the baseline's day) returned then and not now → "See
 *   former employees"; future employees (starting after the baseline's day) likewise → "See future
 *   employees"; the other people (the headcount) → "Consult users" or the role's scope;
 * - a field with values for markedly fewer people than the baseline, beyond what the people no
 *   longer returned explain (each of them is assumed to have had a value, so a lost population is
 *   not reported a second time as lost fields) → the field's permission.
 * "Shrank" is {@link SHRINK_MIN_PEOPLE} people or more and {@link SHRINK_PCT} % or more of what there
 * was: a key that lost a permission loses everyone or every value behind it, while a normal day
 * moves a few people (a rehire leaves the former employees, a withdrawn offer the future ones).
 */
export function guardVisibility({ baseline, now, nowAtBaseline, override }: GuardVisibilityInput): GuardVisibilityResult {
  if (baseline === null) return { allowed: true, shrinks: [], message: null };
  const shrinks: Shrink[] = [];
  const population = (what: 'former' | 'future' | 'current', before: number, after: number, permission: string) => {
    if (gone(before, after)) shrinks.push({ what, before, now: after, permission });
  };
  population('former', baseline.former, nowAtBaseline.former, '"See former employees"');
  population('future', baseline.future, nowAtBaseline.future, '"See future employees"');
  population('current', baseline.read - baseline.former - baseline.future, now.read - nowAtBaseline.former - nowAtBaseline.future,
    '"Consult users" (or the role\'s scope: establishments, departments)');
  for (const field of SYNCED_FIELDS) {
    const before = baseline.valued[field] ?? 0;
    const expected = Math.max(0, before - Math.max(0, baseline.read - now.read));
    const after = now.valued[field] ?? 0;
    if (gone(expected, after)) shrinks.push({ what: 'field', field, before, now: after, permission: FIELD_PERMISSION[field] });
  }
  if (shrinks.length === 0) return { allowed: true, shrinks, message: null };
  const what = shrinks.map(describe).join('; ');
  const permissions = [...new Set(shrinks.map((s) => s.permission))].join(', ');
  if (override) {
    return { allowed: true, shrinks, message: `What the Lucca key sees shrank since the last successful run (${what}); confirmed by the operator.` };
  }
  return {
    allowed: false,
    shrinks,
    message:
      `Visibility guard: the Lucca key sees less than at the last successful run (${baseline.day}): ${what}. ` +
      `The run stopped before writing. The key's role most likely lost ${permissions}: restore it (${ROLES}) and run again; ` +
      `if this is expected, re-run with ${CONFIRM_VISIBILITY_FLAG}.`,
  };
}

function describe(s: Shrink): string {
  const label = s.what === 'field' ? `${s.field} had a value for ${s.before} people, now ${s.now}`
    : s.what === 'current' ? `${s.before} current employees returned then, ${s.now} now`
    : `${s.before} ${s.what} employees returned then, ${s.now} now`;
  return `${label} (${s.permission})`;
}

/**
 * The run's note on values it could not see: how many records per field, that nothing was
 * written for them, and the permission that shows them. Null when every value was visible.
 */
export function notVisibleNote(notVisible: Partial<Record<SyncedField, number>>, hidden: readonly string[]): string | null {
  const fields = SYNCED_FIELDS.filter((f) => (notVisible[f] ?? 0) > 0);
  if (fields.length === 0) return null;
  const parts = fields.map((f) =>
    `${f} was not visible to the Lucca key for ${notVisible[f]} employee(s)${hidden.includes(f) ? ' (null for everyone read, while we had synced values)' : ' (left out by Lucca)'}; ` +
    `nothing was written for it and the target keeps its value. To sync it, grant the key's role ${FIELD_PERMISSION[f]} (${ROLES}).`);
  return parts.join(' ');
}
