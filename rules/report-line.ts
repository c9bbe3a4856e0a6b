/**
 * The run-report line (docs/design.md §2 "report", §3 "Every decision shows in the run report with the
 * before and after values"), shared by the plan, apply and report code. Pure.
 *
 * Primary action precedence (first that applies wins; every other applicable action is kept in
 * `also`, so nothing is hidden):
 *   quarantined > ambiguous > created > attached > conflict > overwrote_manual_edit >
 *   kept_manual_edit > deactivated | reactivated > updated > unchanged
 * Rationale: records that could not be processed first, then structural events (a new or newly
 * attached profile), then what needs an HR decision, then what overrode a human, then lifecycle,
 * then plain updates. `error` is set afterwards by the apply step with {@link markError}.
 */
import { z } from 'zod';
import type { LifecycleAction } from './lifecycle.js';
import type { Match } from './matching.js';
import { SYNCED_FIELDS, type Person, type SyncedField } from './person.js';
import { QuarantineReasonSchema, type QuarantineReason } from './quarantine.js';
import type { FieldDecision, RecordDecision } from './three-way.js';

export const ReportActionSchema = z.enum([
  'created', 'attached', 'updated', 'deactivated', 'reactivated', 'kept_manual_edit', 'overwrote_manual_edit',
  'conflict', 'quarantined', 'ambiguous', 'error', 'unchanged',
]);
export type ReportAction = z.infer<typeof ReportActionSchema>;

export const FieldChangeSchema = z.object({
  field: z.string(),
  /** Target value before the run (null for a create). */
  before: z.string().nullable(),
  /** Target value after the run (equal to `before` when a value was kept). */
  after: z.string().nullable(),
  source: z.string().nullable().optional(),
  base: z.string().nullable().optional(),
  /**
   * A FieldNote (`manual_edit_kept`…), `conflict` for a field left open for review, or `not_visible`
   * for a value the Lucca key cannot see (nothing written; before = after).
   */
  note: z.string().optional(),
});
export type FieldChange = z.infer<typeof FieldChangeSchema>;

export const ReportLineSchema = z.object({
  sourceId: z.string().nullable(),
  targetId: z.string().nullable(),
  action: ReportActionSchema,
  also: z.array(ReportActionSchema),
  changes: z.array(FieldChangeSchema),
  conflicts: z.array(z.string()),
  reasons: z.array(QuarantineReasonSchema),
  ambiguousTargetIds: z.array(z.string()),
  /** PII-free message (e.g. the target's rejection code) when `action` is `error`. */
  error: z.string().optional(),
});
export type ReportLine = z.infer<typeof ReportLineSchema>;

const PRECEDENCE: readonly ReportAction[] = [
  'quarantined',
  'ambiguous',
  'created',
  'attached',
  'conflict',
  'overwrote_manual_edit',
  'kept_manual_edit',
  'deactivated',
  'reactivated',
  'updated',
];

export interface BuildReportLineInput {
  sourceId: string | null;
  /** Absent for a quarantined record (it is never matched). */
  match?: Match;
  /** The three-way decision, for a linked or attached profile. */
  decision?: RecordDecision;
  /** The mapped source, needed for a create (its field values are the changes). */
  source?: Person;
  lifecycle?: LifecycleAction | null;
  quarantine?: QuarantineReason[];
  /** Fields the Lucca key cannot see for this record: listed as `not_visible`, never as a change. */
  unknown?: readonly SyncedField[];
  /** Mapped extra attributes of a create (`attr.<name>`), shown like the synced fields. */
  extraCreate?: readonly { key: string; value: string | null; notVisible?: boolean }[];
  /** The three-way decisions of the mapped extra attributes of a linked or attached profile. */
  extraDecisions?: readonly { key: string; decision: FieldDecision }[];
}

export function buildReportLine(input: BuildReportLineInput): ReportLine {
  const { sourceId, match, decision, source, lifecycle, quarantine = [], unknown = [], extraCreate = [], extraDecisions = [] } = input;
  const actions = new Set<ReportAction>();
  const changes: FieldChange[] = [];
  if (quarantine.length > 0) actions.add('quarantined');
  if (match?.kind === 'ambiguous') actions.add('ambiguous');
  if (match?.kind === 'create' && quarantine.length === 0) {
    actions.add('created');
    for (const field of SYNCED_FIELDS) {
      const after = source?.[field] ?? null;
      if (unknown.includes(field)) changes.push({ field, before: null, after: null, note: 'not_visible' });
      else if (after !== null) changes.push({ field, before: null, after });
    }
    for (const e of extraCreate) {
      if (e.notVisible) changes.push({ field: e.key, before: null, after: null, note: 'not_visible' });
      else if (e.value !== null) changes.push({ field: e.key, before: null, after: e.value });
    }
  }
  if (match?.kind === 'attach') actions.add('attached');
  if (decision && (match?.kind === 'linked' || match?.kind === 'attach')) {
    const all: [string, FieldDecision][] = [...SYNCED_FIELDS.map((f): [string, FieldDecision] => [f, decision.fields[f]]), ...extraDecisions.map((e): [string, FieldDecision] => [e.key, e.decision])];
    for (const [field, d] of all) {
      if (d.case === 'not_visible') changes.push({ field, before: d.before, after: d.after, note: 'not_visible' });
      if (d.case === 'unchanged' || d.case === 'converged' || d.case === 'not_visible') continue;
      const change: FieldChange = { field, before: d.before, after: d.after, source: d.source };
      if (d.base !== undefined) change.base = d.base;
      if (d.note !== null) change.note = d.note;
      if (d.conflict) change.note = 'conflict';
      changes.push(change);
      if (d.conflict) actions.add('conflict');
      else if (d.note === 'manual_edit_overwritten' || d.note === 'both_changed_overwritten') actions.add('overwrote_manual_edit');
      else if (d.note === 'manual_edit_kept' || d.note === 'both_changed_kept') actions.add('kept_manual_edit');
      else if (d.write) actions.add('updated');
    }
  }
  if (lifecycle === 'deactivate') actions.add('deactivated');
  if (lifecycle === 'reactivate') actions.add('reactivated');
  const ordered = PRECEDENCE.filter((a) => actions.has(a));
  const [action = 'unchanged', ...also] = ordered;
  return {
    sourceId,
    targetId: match?.kind === 'linked' || match?.kind === 'attach' ? match.targetId : null,
    action,
    also,
    changes,
    conflicts: decision ? [...decision.conflicts, ...extraDecisions.filter((e) => e.decision.conflict).map((e) => e.key)] : [],
    reasons: quarantine,
    ambiguousTargetIds: match?.kind === 'ambiguous' ? [...match.targetIds] : [],
  };
}

/** The apply step failed for this record: `error` becomes primary, the planned action moves to `also`. */
export function markError(line: ReportLine, message: string): ReportLine {
  const also = line.action === 'error' ? line.also : [line.action, ...line.also.filter((a) => a !== 'error')];
  return { ...line, action: 'error', also, error: message };
}
