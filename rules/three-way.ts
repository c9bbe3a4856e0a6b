/**
 * The per-field conflict rule of docs/design.md §3, exactly its table:
 *
 * | case                                         | lucca-wins               | target-wins          | review            |
 * |----------------------------------------------|--------------------------|----------------------|-------------------|
 * | target = base, source = base (unchanged)     | no-op                    | no-op                | no-op             |
 * | target = base, source ≠ base (source_changed)| write source             | write source         | write source      |
 * | target ≠ base, source = base (target_edited) | overwrite, note          | keep, note           | keep, conflict    |
 * | all three differ (both_changed)              | overwrite, both values   | keep, report         | keep, conflict    |
 * | target = source (converged; checked first)   | update base only         | update base only     | update base only  |
 *
 * Equality compares normalised values (emails: normaliseEmail, names: normaliseName, dates exact).
 *
 * Documented decisions:
 * - No base (`undefined`: first sync of a linked/attached profile, no snapshot yet): we have no
 *   knowledge of hand edits, so Lucca is the reference: target ≠ source is treated as "Lucca
 *   changed" and the source is written under every policy; target = source is `converged`.
 * - newBase under target-wins is the *source* value. It must not be the target: with base = target,
 *   the very next run would see source ≠ base and overwrite the kept edit. With base = source the
 *   next run sees "hand edit" again and keeps it again (no write, no flip-flop); a later Lucca change
 *   is "both changed" and is kept too, as the table says. The standing divergence is reported on
 *   every run (`manual_edit_kept`): with one stored value per field it cannot be silenced without
 *   risking an overwrite.
 * - newBase under review, when a conflict is open, is the old base: the conflict stays open (and is
 *   re-reported) until resolved or until the values converge.
 * - A source value the Lucca key cannot see (`unknown`, docs/design.md §3 "Unknown is not empty") is
 *   `not_visible` under every policy: no write, base unchanged (still none if there was none), no
 *   conflict, not a change. The target keeps whatever it holds.
 */
import { z } from 'zod';
import { SYNCED_FIELDS, sameValue, type Person, type SyncedField } from './person.js';

/** The conflict policies, the one list of them (the database column, the CLI and the console derive from it). */
export const POLICIES = ['lucca-wins', 'target-wins', 'review'] as const;
export const PolicySchema = z.enum(POLICIES);
export type Policy = z.infer<typeof PolicySchema>;

export const FieldCaseSchema = z.enum(['unchanged', 'source_changed', 'target_edited', 'both_changed', 'converged', 'not_visible']);
export type FieldCase = z.infer<typeof FieldCaseSchema>;

export const FieldNoteSchema = z.enum(['manual_edit_overwritten', 'manual_edit_kept', 'both_changed_overwritten', 'both_changed_kept']);
export type FieldNote = z.infer<typeof FieldNoteSchema>;

export type FieldValue = string | null;

export interface FieldDecision {
  case: FieldCase;
  /** Write the source value to the target. */
  write: boolean;
  /** The base to store after this run, assuming the write (if any) succeeds; undefined = still none. */
  newBase: FieldValue | undefined;
  /** Open (or keep open) a conflict for this field. */
  conflict: boolean;
  note: FieldNote | null;
  /** Target value now. */
  before: FieldValue;
  /** Value the target will hold after this run. */
  after: FieldValue;
  /** The inputs, echoed for the report ("report both values"). */
  source: FieldValue;
  base: FieldValue | undefined;
}

export interface DecideFieldInput {
  /** `undefined` = no snapshot yet (see the module comment). */
  base: FieldValue | undefined;
  source: FieldValue;
  target: FieldValue;
  policy: Policy;
  /** Selects the normalisation used for equality; without it, values compare exactly. */
  field?: SyncedField;
  /** The Lucca key cannot see the source value (`source` is then a placeholder, never used). */
  unknown?: boolean;
}

export function decideField({ base, source, target, policy, field, unknown = false }: DecideFieldInput): FieldDecision {
  const eq = (a: FieldValue, b: FieldValue) => sameValue(field, a, b);
  const keep = { write: false, before: target, after: target, source, base };
  if (unknown) return { case: 'not_visible', ...keep, source: null, newBase: base, conflict: false, note: null };
  const overwrite = { write: true, before: target, after: source, newBase: source, conflict: false, source, base };

  if (eq(target, source)) {
    if (base !== undefined && eq(base, source)) {
      return { case: 'unchanged', ...keep, newBase: base, conflict: false, note: null };
    }
    return { case: 'converged', ...keep, newBase: source, conflict: false, note: null };
  }
  if (base === undefined || eq(target, base)) {
    return { case: 'source_changed', ...overwrite, note: null };
  }
  const edited = eq(source, base); // else: target ≠ base, source ≠ base, target ≠ source
  const kase: FieldCase = edited ? 'target_edited' : 'both_changed';
  switch (policy) {
    case 'lucca-wins':
      return { case: kase, ...overwrite, note: edited ? 'manual_edit_overwritten' : 'both_changed_overwritten' };
    case 'target-wins':
      return { case: kase, ...keep, newBase: source, conflict: false, note: edited ? 'manual_edit_kept' : 'both_changed_kept' };
    case 'review':
      return { case: kase, ...keep, newBase: base, conflict: true, note: null };
  }
}

export type Policies = Record<SyncedField, Policy>;

export function resolvePolicies(defaultPolicy: Policy = 'lucca-wins', perField?: Partial<Policies>): Policies {
  const out = {} as Policies;
  for (const f of SYNCED_FIELDS) out[f] = perField?.[f] ?? defaultPolicy;
  return out;
}

export interface RecordDecision {
  fields: Record<SyncedField, FieldDecision>;
  /** Fields to write to the target (source values). Empty when nothing is to be written. */
  patch: Partial<Person>;
  /** Fields without a base (no snapshot, and not visible now) are left out. */
  newBase: Partial<Person>;
  conflicts: SyncedField[];
  notes: { field: SyncedField; note: FieldNote }[];
}

export interface DecideRecordInput {
  /** Last written snapshot; undefined (or a missing key) means "no snapshot" for that field. */
  base: Partial<Person> | undefined;
  source: Person;
  target: Person;
  policies: Policies;
  /** Fields the Lucca key cannot see for this record. */
  unknown?: readonly SyncedField[];
}

export function decideRecord({ base, source, target, policies, unknown = [] }: DecideRecordInput): RecordDecision {
  const fields = {} as Record<SyncedField, FieldDecision>;
  const patch: Partial<Person> = {};
  const newBase: Partial<Record<SyncedField, FieldValue>> = {};
  const conflicts: SyncedField[] = [];
  const notes: { field: SyncedField; note: FieldNote }[] = [];
  for (const field of SYNCED_FIELDS) {
    const d = decideField({
      base: base?.[field], source: source[field], target: target[field], policy: policies[field], field, unknown: unknown.includes(field),
    });
    fields[field] = d;
    if (d.newBase !== undefined) newBase[field] = d.newBase;
    if (d.write) (patch as Record<SyncedField, FieldValue>)[field] = source[field];
    if (d.conflict) conflicts.push(field);
    if (d.note !== null) notes.push({ field, note: d.note });
  }
  return { fields, patch, newBase: newBase as Partial<Person>, conflicts, notes };
}
