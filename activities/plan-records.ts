import type { HappyPalUser } from './connectors/happypal/schemas.js';
import type { PlannedConflict, PlannedWrite } from './plan-model.js';
import { happyPalCreateInput, happyPalPatch, personFromHappyPal } from './mapping/person-to-happypal.js';
import { guardDeactivations, desiredStatus, lifecycleAction, missingSourceIds, type LifecycleAction } from './sync/lifecycle.js';
import { mapLuccaUser } from './sync/map-lucca-user.js';
import { matchEmployees, type Match } from './sync/matching.js';
import { SYNCED_FIELDS, sameValue, type Person, type SyncedField } from './sync/person.js';
import type { QuarantineReason } from './sync/quarantine.js';
import { buildReportLine, type ReportLine } from './sync/report-line.js';
import { decideRecord, resolvePolicies, type Policy, type RecordDecision } from './sync/three-way.js';

type Fields = Record<string, string | null>;

export interface PlanInput {
  connectionId: string;
  today: string;
  sources: { sourceId: string; data: unknown }[];
  targets: HappyPalUser[];
  links: { sourceId: string; targetId: string }[];
  snapshots: { sourceId: string; fields: Fields; kept: Fields; targetStatus: string | null }[];
  openConflicts: { sourceId: string; field: string }[];
  defaultPolicy: Policy;
  fieldPolicies: Record<string, string>;
  guardPct: number;
  confirmDeactivations: boolean;
}

export interface PlannedLine {
  sourceId: string;
  targetId: string | null;
  action: string;
  also: string[];
  changes: unknown[];
  reasons: unknown[];
  plan: PlannedWrite | null;
  outcome: 'planned' | 'reported';
  error: string | null;
}

export interface Plan {
  lines: PlannedLine[];
  quarantined: { sourceId: string; reasons: QuarantineReason[] }[];
  blockedReason: string | null;
}

/**
 * The whole HappyPal plan of one run, as a pure function of what was read: Lucca records, the
 * target's profiles, our links, snapshots (bases) and open conflicts. No I/O, so it is unit-tested.
 */
export function planRecords(input: PlanInput): Plan {
  const policies = resolvePolicies(input.defaultPolicy, input.fieldPolicies as Partial<Record<SyncedField, Policy>>);
  const targetsById = new Map(input.targets.map((t) => [t.id, t]));
  const snapshotOf = new Map(input.snapshots.map((s) => [s.sourceId, s]));
  const openOf = new Set(input.openConflicts.map((c) => `${c.sourceId}:${c.field}`));
  const lines: PlannedLine[] = [];
  const quarantined: Plan['quarantined'] = [];
  const valid: { sourceId: string; person: Person }[] = [];

  for (const { sourceId, data } of input.sources) {
    const mapped = mapLuccaUser(data, input.today);
    if (mapped.ok) valid.push({ sourceId: mapped.sourceId, person: mapped.person });
    else {
      quarantined.push({ sourceId, reasons: mapped.reasons });
      lines.push(reportOnly(buildReportLine({ sourceId, quarantine: mapped.reasons })));
    }
  }
  const matches = matchEmployees({
    sources: valid.map((v) => ({ sourceId: v.sourceId, email: v.person.email })),
    links: input.links,
    targets: input.targets.map((t) => ({ targetId: t.id, email: t.email })),
  });

  valid.forEach(({ sourceId, person }, i) => {
    const match = (matches[i] as { match: Match }).match;
    if (match.kind === 'ambiguous') return lines.push(reportOnly(buildReportLine({ sourceId, match })));
    const desired = desiredStatus(person, input.today);
    if (match.kind === 'create') {
      // A former employee without a profile has nothing to deactivate: no profile is created for them.
      if (desired === 'inactive') return;
      const line = buildReportLine({ sourceId, match, source: person });
      return lines.push(withPlan(line, {
        create: happyPalCreateInput(person, sourceId),
        commit: commit({ link: true, snapshot: { ...person }, status: 'active' }),
      }));
    }
    const target = targetsById.get(match.targetId);
    if (!target) {
      return lines.push({ ...reportOnly(buildReportLine({ sourceId, match })), action: 'error', error: 'The linked HappyPal profile no longer exists.' });
    }
    const snapshot = snapshotOf.get(sourceId);
    const decision = decideWithKept(person, personFromHappyPal(target), snapshot, policies);
    const lifecycle = lifecycleAction(desired, target.status);
    const line = buildReportLine({ sourceId, match, decision, source: person, lifecycle });
    const openConflicts: PlannedConflict[] = decision.conflicts.map((field) => ({
      field, base: decision.fields[field].base ?? null, source: person[field], target: target[field === 'email' ? 'email' : fieldOf(field)],
    }));
    const closeConflicts = SYNCED_FIELDS.filter((f) => openOf.has(`${sourceId}:${f}`) && !decision.conflicts.includes(f));
    const kept = keptValues(decision, snapshot?.kept ?? {}, personFromHappyPal(target));
    const snapshotChanged = !snapshot || !sameFields(snapshot.fields, decision.newBase) || !sameFields(snapshot.kept, kept);
    const nothingToDo = Object.keys(decision.patch).length === 0 && !lifecycle && openConflicts.length === 0 &&
      closeConflicts.length === 0 && !snapshotChanged && match.kind === 'linked' && line.action === 'unchanged';
    if (nothingToDo) return;
    lines.push(withPlan(line, {
      ...(Object.keys(decision.patch).length > 0 && { update: happyPalPatch(decision.patch) }),
      ...(lifecycle && { lifecycle }),
      commit: commit({
        link: match.kind === 'attach', snapshot: decision.newBase, kept,
        status: lifecycle ? (lifecycle === 'deactivate' ? 'inactive' : 'active') : target.status,
        openConflicts, closeConflicts,
      }),
    }));
  });

  // Linked employees Lucca no longer returns at all (the fetch was complete, or we would not be here).
  const fetched = input.sources.map((s) => s.sourceId);
  const linkedTarget = new Map(input.links.map((l) => [l.sourceId, l.targetId]));
  for (const sourceId of missingSourceIds(linkedTarget.keys(), fetched)) {
    const target = targetsById.get(linkedTarget.get(sourceId) as string);
    if (!target || target.status === 'inactive') continue;
    const line = buildReportLine({ sourceId, match: { kind: 'linked', targetId: target.id }, lifecycle: 'deactivate' as LifecycleAction });
    lines.push({
      ...withPlan(line, { lifecycle: 'deactivate', commit: commit({ status: 'inactive' }) }),
      reasons: [{ code: 'not_returned_by_lucca', message: 'Lucca no longer returns this employee.' }],
    });
  }

  const toDeactivate = lines.filter((l) => l.plan?.lifecycle === 'deactivate').length;
  const guard = guardDeactivations({
    toDeactivate, linked: input.links.length, thresholdPct: input.guardPct, override: input.confirmDeactivations,
  });
  lines.sort((a, b) => compareIds(a.sourceId, b.sourceId));
  return { lines, quarantined, blockedReason: guard.allowed ? null : guard.message };
}

function fieldOf(field: SyncedField): keyof HappyPalUser {
  return ({ firstName: 'first_name', lastName: 'last_name', email: 'email', birthDate: 'birth_date', contractStart: 'contract_start', contractEnd: 'contract_end' } as const)[field];
}

/**
 * A value kept on purpose stays kept while neither side moves: the field is then unchanged, not a
 * fresh "manual edit kept" every run. If Lucca or the target changes it again, the table applies.
 */
function decideWithKept(source: Person, target: Person, snapshot: PlanInput['snapshots'][number] | undefined, policies: ReturnType<typeof resolvePolicies>): RecordDecision {
  const base = snapshot?.fields as Partial<Person> | undefined;
  const effectiveTarget: Record<SyncedField, string | null> = { ...target };
  for (const field of SYNCED_FIELDS) {
    const kept = snapshot?.kept[field];
    // Under lucca-wins nothing is kept: a value kept under an earlier policy is overwritten.
    if (kept === undefined || base?.[field] === undefined || policies[field] === 'lucca-wins') continue;
    if (sameValue(field, target[field], kept) && sameValue(field, source[field], base[field] ?? null)) {
      effectiveTarget[field] = base[field] ?? null;
    }
  }
  const decision = decideRecord({ base, source, target: effectiveTarget as Person, policies });
  for (const field of SYNCED_FIELDS) decision.fields[field].before = target[field];
  for (const field of SYNCED_FIELDS) if (!decision.fields[field].write) decision.fields[field].after = target[field];
  return decision;
}

/** Values kept on purpose after this run: newly kept ones, and earlier ones HappyPal still holds. */
function keptValues(decision: RecordDecision, previous: Fields, target: Person): Fields {
  const kept: Fields = {};
  for (const field of SYNCED_FIELDS) {
    const d = decision.fields[field];
    const before = previous[field];
    if (d.note === 'manual_edit_kept' || d.note === 'both_changed_kept') kept[field] = d.before;
    else if (d.case === 'unchanged' && before !== undefined && !d.write && sameValue(field, target[field], before)) kept[field] = before;
  }
  return kept;
}

function commit(parts: Partial<PlannedWrite['commit']>): PlannedWrite['commit'] {
  return { link: false, snapshot: null, kept: {}, status: null, openConflicts: [], closeConflicts: [], ...parts };
}

function reportOnly(line: ReportLine): PlannedLine {
  return {
    sourceId: line.sourceId ?? '', targetId: line.targetId, action: line.action, also: line.also,
    changes: line.changes, reasons: line.reasons, plan: null, outcome: 'reported', error: line.error ?? null,
  };
}

function withPlan(line: ReportLine, plan: PlannedWrite): PlannedLine {
  return { ...reportOnly(line), plan, outcome: 'planned' };
}

function sameFields(a: Fields, b: Fields): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? null) !== (b[key] ?? null) || (key in a) !== (key in b)) return false;
  return true;
}

function compareIds(a: string, b: string): number {
  const [na, nb] = [Number(a), Number(b)];
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}
