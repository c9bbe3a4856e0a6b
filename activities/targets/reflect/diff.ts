/**
 * The Reflect plan of one dataset: compare what this run read (mapped) with what we last wrote
 * (snapshots) and say, per record, what to write. A record identical to its snapshot writes
 * nothing, so a no-op resync sends nothing to Reflect. Records we wrote that a complete read no
 * longer returns were deleted in Lucca without a trace: they are deleted from Reflect, unless so
 * many go at once that the read itself is suspect (the connection's deletion guard, the same
 * percentage as HappyPal's deactivation guard). A field the Lucca key cannot see carries what we
 * last wrote (an upsert replaces the whole record: null would erase it), so it is never a change.
 * Pure.
 */
import { toFields, type Fields, type Mapped, type Reason, type ReflectRecord } from './model.js';

/** `deactivated`: an employee who left the connection's scope, ended on Reflect (scope.ts); `deactivation_held`: held by the guard. */
export type ReflectAction = 'created' | 'updated' | 'deleted' | 'quarantined' | 'deletion_held' | 'deactivated' | 'deactivation_held';

export interface FieldDiff {
  field: string;
  before: string | null;
  after: string | null;
}

export type WritePlan = { op: 'upsert'; record: ReflectRecord } | { op: 'delete' };

export interface PlannedLine {
  sourceId: string;
  action: ReflectAction;
  changes: FieldDiff[];
  reasons: Reason[];
  /** What the write phase sends; null when the line only reports. */
  plan: WritePlan | null;
  outcome: 'planned' | 'reported' | 'skipped';
}

export interface DiffInput {
  mapped: readonly Mapped[];
  snapshots: ReadonlyMap<string, Fields>;
  /**
   * Whether a snapshot lies in what this run read completely (so its absence means Lucca deleted
   * it); null when the read was incremental and absence means nothing.
   */
  inScope: ((id: string, fields: Fields) => boolean) | null;
  guardPct: number;
  /** An operator's confirmation lets deletions (and scope endings) past the guard through. */
  confirmDeletions: boolean;
  /**
   * Employees who left the connection's scope (scope.ts): each one we wrote is ended, `end` giving
   * the record to send (null: already ended, nothing to write), under the deletion guard's percentage
   * of the records we wrote, counted on its own; above it the endings are held, the rest is written.
   */
  scopeLeavers?: { ids: readonly string[]; end: (snapshot: Fields) => ReflectRecord | null };
}

export interface DiffResult {
  lines: PlannedLine[];
  unchanged: number;
  /** Records that mapped cleanly this run (they leave the quarantine). */
  okIds: string[];
  /** Set when the guard held deletions back. */
  heldReason: string | null;
}

function changesOf(before: Fields | undefined, after: Fields): FieldDiff[] {
  const out: FieldDiff[] = [];
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const field of [...keys].sort()) {
    if (field === 'external_id' && before) continue;
    const b = before ? (before[field] ?? null) : null;
    const a = after[field] ?? null;
    if (b !== a && !(before === undefined && a === null)) out.push({ field, before: b, after: a });
  }
  return out;
}

/** Unknown fields take the value we last wrote (null only when we never wrote the record); `numeric` ones as numbers. */
function carryUnknown(record: ReflectRecord, unknown: readonly string[] | undefined, snapshot: Fields | undefined, numeric: readonly string[] = []): ReflectRecord {
  if (!unknown || unknown.length === 0) return record;
  const out = { ...record };
  for (const field of unknown) {
    const last = snapshot?.[field] ?? null;
    out[field] = last !== null && numeric.includes(field) && Number.isFinite(Number(last)) ? Number(last) : last;
  }
  return out;
}

export function diffDataset(input: DiffInput): DiffResult {
  const lines: PlannedLine[] = [];
  const seen = new Set<string>();
  const okIds: string[] = [];
  let unchanged = 0;
  for (const m of input.mapped) {
    if (seen.has(m.id)) continue; // a record staged twice is planned once
    seen.add(m.id);
    const snapshot = input.snapshots.get(m.id);
    if (m.kind === 'invalid') {
      lines.push({ sourceId: m.id, action: 'quarantined', changes: [], reasons: m.reasons, plan: null, outcome: 'reported' });
    } else if (m.kind === 'gone') {
      if (snapshot) lines.push({ sourceId: m.id, action: 'deleted', changes: [], reasons: [], plan: { op: 'delete' }, outcome: 'planned' });
    } else if (m.kind === 'record') {
      okIds.push(m.id);
      const record = carryUnknown(m.record, m.unknown, snapshot, m.numeric);
      const fields = toFields(record);
      const changes = changesOf(snapshot, fields);
      if (snapshot && changes.length === 0) unchanged += 1;
      else lines.push({ sourceId: m.id, action: snapshot ? 'updated' : 'created', changes, reasons: [], plan: { op: 'upsert', record }, outcome: 'planned' });
    }
  }
  let heldReason: string | null = null;
  if (input.inScope) {
    let inScope = 0;
    const missing: string[] = [];
    for (const [id, fields] of input.snapshots) {
      if (!input.inScope(id, fields)) continue;
      inScope += 1;
      if (!seen.has(id)) missing.push(id);
    }
    missing.sort();
    const allowed = Math.max(1, Math.floor((inScope * input.guardPct) / 100));
    const hold = missing.length > allowed && !input.confirmDeletions;
    if (hold) {
      heldReason = `${missing.length} records we wrote are no longer returned by Lucca, more than the ${input.guardPct} % deletion guard ` +
        `allows (${allowed}); they were not deleted from Reflect. Check the Lucca key's permissions (a role that no longer sees ` +
        'former employees hides them), then confirm the deletions with a confirmed sync.';
    }
    for (const id of missing) {
      lines.push(hold
        ? { sourceId: id, action: 'deletion_held', changes: [], reasons: [{ code: 'deletion_guard', message: 'no longer returned by Lucca; deletion held by the guard' }], plan: null, outcome: 'skipped' }
        : { sourceId: id, action: 'deleted', changes: [], reasons: [], plan: { op: 'delete' }, outcome: 'planned' });
    }
  }
  const endHeld = planScopeEndings(input, lines);
  return { lines, unchanged, okIds, heldReason: [heldReason, endHeld].filter((m) => m !== null).join(' ') || null };
}

/** Ends the scope leavers we wrote (adds their lines); returns the guard's message when it held them. */
function planScopeEndings(input: DiffInput, lines: PlannedLine[]): string | null {
  if (!input.scopeLeavers) return null;
  const endings: Array<{ sourceId: string; record: ReflectRecord; changes: FieldDiff[] }> = [];
  for (const id of [...new Set(input.scopeLeavers.ids)].sort()) {
    const snapshot = input.snapshots.get(id);
    const record = snapshot ? input.scopeLeavers.end(snapshot) : null;
    if (snapshot && record) endings.push({ sourceId: id, record, changes: changesOf(snapshot, toFields(record)) });
  }
  const allowed = Math.max(1, Math.floor((input.snapshots.size * input.guardPct) / 100));
  const hold = endings.length > allowed && !input.confirmDeletions;
  const reason = { code: 'out_of_scope', message: hold ? 'left the connection\'s scope; ending held by the deactivation guard' : 'left the connection\'s scope: ended like a contract end' };
  for (const e of endings) {
    lines.push(hold
      ? { sourceId: e.sourceId, action: 'deactivation_held', changes: e.changes, reasons: [reason], plan: null, outcome: 'skipped' }
      : { sourceId: e.sourceId, action: 'deactivated', changes: e.changes, reasons: [reason], plan: { op: 'upsert', record: e.record }, outcome: 'planned' });
  }
  if (!hold) return null;
  return `${endings.length} employees left the connection's scope, more than the ${input.guardPct} % deactivation guard allows (${allowed}); ` +
    'they were not ended on Reflect. Check the scope and the Lucca key\'s view of the organisation, then confirm with a confirmed sync (--confirm-deactivations).';
}
