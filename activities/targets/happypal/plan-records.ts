import type { StagedRow } from '../../../db/queries/staging.js';
import type { HappyPalEditableField, HappyPalUser } from './schemas.js';
import type { PlannedConflict, PlannedWrite } from './plan-model.js';
import { happyPalCreateInput, happyPalPatch, personFromHappyPal } from './to-happypal.js';
import { guardDeactivations, desiredStatus, lifecycleAction, missingSourceIds, type LifecycleAction } from '../../../rules/lifecycle.js';
import { mapLuccaUser } from '../../../rules/map-lucca-user.js';
import { createMatcher, type Match } from '../../../rules/matching.js';
import { SYNCED_FIELDS, sameValue, type Person, type SyncedField } from '../../../rules/person.js';
import type { QuarantineReason } from '../../../rules/quarantine.js';
import { buildReportLine, type ReportLine } from '../../../rules/report-line.js';
import { decideRecord, resolvePolicies, type Policy, type RecordDecision } from '../../../rules/three-way.js';
import {
  addEvidence, createTally, emptyEvidence, guardVisibility, hiddenFields, notVisibleNote, type VisibilityCounts,
} from '../../../rules/visibility.js';
import {
  extraKey, fromTargetValue, mapExtras, targetOfExtraKey, toTargetValue, type FieldMapping, type MappedRecord,
} from '../../../rules/field-mapping.js';
import { addMappedEvidence, emptyMappedEvidence, hiddenMappings, mappedNotVisibleNote, withHiddenMappings } from '../../../rules/mapped-visibility.js';
import { describeVerdict, evaluateScope, orgOf, type ResolvedScope, type ScopeVerdict } from '../../../rules/scope.js';
import { decideField, type FieldDecision } from '../../../rules/three-way.js';

type Fields = Record<string, string | null>;

export interface PlanInput {
  connectionId: string;
  today: string;
  sources: StagedRow[];
  targets: HappyPalUser[];
  /** Profiles set aside at read time, with their email when they had one. */
  unreadableTargets?: (UnreadableTarget & { email?: string | null })[];
  links: { sourceId: string; targetId: string }[];
  snapshots: { sourceId: string; fields: Fields; kept: Fields; targetStatus: string | null }[];
  openConflicts: { sourceId: string; field: string }[];
  defaultPolicy: Policy;
  fieldPolicies: Record<string, string>;
  guardPct: number;
  confirmDeactivations: boolean;
  /** The last successful run's visibility counts (null or absent: no visibility guard). */
  visibilityBaseline?: VisibilityCounts | null;
  confirmVisibility?: boolean;
  /** Which employees sync (rules/scope.ts); null or absent = everyone the key sees. */
  scope?: ResolvedScope | null;
  /** Extra fields mapped to HappyPal custom attributes (rules/field-mapping.ts). */
  mappings?: FieldMapping[];
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
  /** What this read showed (stored for the next run's visibility guard). */
  visibility: VisibilityCounts;
  /** For the run's message: values the key could not see, and guard notes; PII-free. */
  notice: string | null;
}

/** A target profile set aside at read time, with what is wrong with it (field and kind of fault, no value). */
export interface UnreadableTarget { targetId: string; problems: string[] }

/** A Lucca id linked to a target profile (record_links); in `missing`, one Lucca no longer returns at all. */
export interface Link { sourceId: string; targetId: string }

/** What the planner needs before the first record: small, global indexes (no record bodies). */
export interface PlanSetup {
  connectionId: string;
  today: string;
  links: { sourceId: string; targetId: string }[];
  /** Every profile on the target, id and email only (for matching by email), unreadable ones included. */
  targetEmails: { targetId: string; email: string | null }[];
  /** Profiles that do not match the target's contract: never written; whoever they match is quarantined. */
  unreadableTargets?: UnreadableTarget[];
  openConflicts: { sourceId: string; field: string }[];
  defaultPolicy: Policy;
  fieldPolicies: Record<string, string>;
  guardPct: number;
  confirmDeactivations: boolean;
  /** Fields hidden run-wide (visibility.ts hiddenFields), found before planning. */
  hidden: readonly SyncedField[];
  visibilityBaseline: VisibilityCounts | null;
  confirmVisibility: boolean;
  scope?: ResolvedScope | null;
  mappings?: FieldMapping[];
  /** Mapped attributes hidden run-wide (mapped-visibility.ts hiddenMappings), found before planning. */
  hiddenMappings?: readonly string[];
}

type SnapshotRow = PlanInput['snapshots'][number];

/** A chunk after mapping and matching: says which profiles and snapshots its lines need. */
export interface MatchedChunk {
  /** `unknown`: fields the key cannot see for this record (left out, or hidden run-wide). */
  mapped: (MatchedEntry | { sourceId: string; reasons: QuarantineReason[] })[];
  missing: Link[];
  /** Target profiles to load for this chunk (matched or linked). */
  targetIds: string[];
  /** Sources whose snapshot (base) to load. */
  sourceIds: string[];
}

/** A mapped, matched record: `scope` says whether it may be written, `extras` its mapped attributes. */
export interface MatchedEntry {
  sourceId: string;
  person: Person;
  unknown: SyncedField[];
  match: Match;
  scope: ScopeVerdict;
  extras: MappedRecord;
}

export interface ChunkPlan {
  lines: PlannedLine[];
  quarantined: Plan['quarantined'];
}

/**
 * The HappyPal plan in bounded memory: global indexes first (links, target emails, open conflicts),
 * then the records chunk by chunk, each chunk needing only its own records, profiles and snapshots.
 * Two passes over the sources: `claim` all of them (an unlinked email claimed twice is ambiguous),
 * then `match` and `plan` each chunk; `finish` applies the mass-deactivation and visibility guards to
 * the whole run (the visibility counts are tallied as `match` maps each record).
 * Chunking does not change the plan: planRecords (one chunk) is the reference, tested both ways.
 */
export function createPlanner(setup: PlanSetup) {
  const policies = resolvePolicies(setup.defaultPolicy, setup.fieldPolicies as Partial<Record<SyncedField, Policy>>);
  const matcher = createMatcher({ links: setup.links, targets: setup.targetEmails });
  const openOf = new Set(setup.openConflicts.map((c) => `${c.sourceId}:${c.field}`));
  const unreadable = new Map((setup.unreadableTargets ?? []).map((t) => [t.targetId, t.problems]));
  const tally = createTally(setup.today, setup.visibilityBaseline?.day ?? null);
  const notVisible: Partial<Record<SyncedField, number>> = {};
  const mappings = setup.mappings ?? [];
  const notVisibleExtras = new Map<string, number>();
  const typeOf = new Map(mappings.map((m) => [extraKey(m.target), m.type]));
  const outOfScope = { skipped: 0, unknown: 0 };
  let toDeactivate = 0;

  return {
    /** Pass 1: every fetched source (mapped the same way as in pass 2) claims its email. */
    claim(sources: readonly StagedRow[]): void {
      for (const { data } of sources) {
        const mapped = mapLuccaUser(data, setup.today);
        // People outside the scope are never written: they claim no profile either.
        if (mapped.ok && evaluateScope(setup.scope, orgOf(data)).in !== false) matcher.claim({ sourceId: mapped.sourceId, email: mapped.person.email });
      }
    },

    /** Pass 2, step 1: maps and matches a chunk of sources (and takes the missing links in its id range). */
    match(sources: readonly StagedRow[], missing: readonly Link[] = []): MatchedChunk {
      const targetIds = new Set<string>(missing.map((m) => m.targetId));
      const mapped = sources.map(({ sourceId, data }): MatchedChunk['mapped'][number] => {
        tally.add(data);
        const result = mapLuccaUser(data, setup.today);
        const scope = evaluateScope(setup.scope, orgOf(data));
        const extras = withHiddenMappings(mapExtras(data, mappings), setup.hiddenMappings ?? []);
        if (!result.ok) return { sourceId, reasons: result.reasons };
        // A mapped value that does not fit its type is never written: the record waits in quarantine.
        if (scope.in === true && extras.misfits.length > 0) {
          return { sourceId, reasons: extras.misfits.map((m) => ({ code: 'mapped_value_misfit' as const, field: extraKey(m.target), message: m.message })) };
        }
        const match = matcher.match({ sourceId: result.sourceId, email: result.person.email });
        if (match.kind === 'linked' || match.kind === 'attach') targetIds.add(match.targetId);
        const unknown = [...new Set<SyncedField>([...result.unknown, ...setup.hidden])];
        return { sourceId: result.sourceId, person: result.person, unknown, match, scope, extras };
      });
      return { mapped, missing: [...missing], targetIds: [...targetIds], sourceIds: sources.map((s) => s.sourceId) };
    },

    /** Pass 2, step 2: the chunk's report lines, sorted by Lucca id, with the profiles and snapshots it asked for. */
    plan(chunk: MatchedChunk, targets: readonly HappyPalUser[], snapshots: readonly SnapshotRow[]): ChunkPlan {
      const targetsById = new Map(targets.map((t) => [t.id, t]));
      const snapshotOf = new Map(snapshots.map((s) => [s.sourceId, s]));
      const lines: PlannedLine[] = [];
      const quarantined: Plan['quarantined'] = [];
      for (const entry of chunk.mapped) {
        const unreadableTarget = 'match' in entry ? unreadableReasons(matchedTarget(entry.match)) : null;
        if ('reasons' in entry || unreadableTarget) {
          const reasons = 'reasons' in entry ? entry.reasons : (unreadableTarget as QuarantineReason[]);
          quarantined.push({ sourceId: entry.sourceId, reasons });
          lines.push(reportOnly(buildReportLine({ sourceId: entry.sourceId, quarantine: reasons })));
          continue;
        }
        const target = targetsById.get(matchedTarget(entry.match) ?? '');
        const line = entry.scope.in === true ? planMatched(entry, target, snapshotOf.get(entry.sourceId)) : planOutOfScope(entry, target);
        if (line) lines.push(line);
      }
      for (const { sourceId, targetId } of chunk.missing) {
        const reasons = unreadableReasons(targetId);
        if (reasons) {
          quarantined.push({ sourceId, reasons });
          lines.push(reportOnly(buildReportLine({ sourceId, quarantine: reasons })));
          continue;
        }
        const target = targetsById.get(targetId);
        if (!target || target.status === 'inactive') continue;
        const line = buildReportLine({ sourceId, match: { kind: 'linked', targetId: target.id }, lifecycle: 'deactivate' as LifecycleAction });
        lines.push({
          ...withPlan(line, { lifecycle: 'deactivate', commit: commit({ status: 'inactive' }) }),
          reasons: [{ code: 'not_returned_by_lucca', message: 'Lucca no longer returns this employee.' }],
        });
      }
      toDeactivate += lines.filter((l) => l.plan?.lifecycle === 'deactivate').length;
      lines.sort((a, b) => compareIds(a.sourceId, b.sourceId));
      return { lines, quarantined };
    },

    /**
     * After the last chunk: the mass-deactivation and visibility guards over the whole run (either
     * blocks it; both messages when both hold), the counts to keep, and the run's notice.
     */
    finish(): { blockedReason: string | null; visibility: VisibilityCounts; notice: string | null } {
      const guard = guardDeactivations({
        toDeactivate, linked: setup.links.length, thresholdPct: setup.guardPct, override: setup.confirmDeactivations,
      });
      const visibility = tally.counts();
      const seen = guardVisibility({
        baseline: setup.visibilityBaseline, now: visibility, nowAtBaseline: tally.atBaseline(), override: setup.confirmVisibility,
      });
      const blocked = [seen.allowed ? null : seen.message, guard.allowed ? null : guard.message].filter((m) => m !== null);
      const notes = [seen.allowed ? seen.message : null, notVisibleNote(notVisible, setup.hidden), extrasNote(), scopeNote()].filter((m) => m !== null);
      return { blockedReason: blocked.length > 0 ? blocked.join(' ') : null, visibility, notice: notes.length > 0 ? notes.join(' ') : null };
    },
  };

  function extrasNote(): string | null {
    return mappedNotVisibleNote(mappings, notVisibleExtras, setup.hiddenMappings ?? [], 'HappyPal');
  }

  function scopeNote(): string | null {
    const parts = [];
    if (outOfScope.skipped > 0) parts.push(`${outOfScope.skipped} employee(s) outside the connection's scope were not synced.`);
    if (outOfScope.unknown > 0) {
      parts.push(`${outOfScope.unknown} employee(s) were not synced because the organisation data the scope uses (legal entity, establishment or department) ` +
        'is not visible to the Lucca key for them; their profiles were left as they are. Grant the key\'s role "Consult users" on the whole organisation.');
    }
    return parts.length > 0 ? parts.join(' ') : null;
  }

  /**
   * An employee outside the scope is never written. One we linked before (who left the scope) is
   * deactivated like a contract end, under the same guard; one whose org data the key cannot see
   * is left as it is (unknown is not empty).
   */
  function planOutOfScope(entry: MatchedEntry, target: HappyPalUser | undefined): PlannedLine | null {
    const { sourceId, match, scope } = entry;
    if (scope.in === 'unknown') {
      outOfScope.unknown += 1;
      if (match.kind !== 'linked') return null;
      return { ...reportOnly(buildReportLine({ sourceId, match })), reasons: [{ code: 'scope_not_visible', message: `Not synced: ${describeVerdict(scope)}.` }] };
    }
    outOfScope.skipped += 1;
    if (match.kind !== 'linked' || !target || target.status === 'inactive') return null;
    const line = buildReportLine({ sourceId, match, lifecycle: 'deactivate' });
    return {
      ...withPlan(line, { lifecycle: 'deactivate', commit: commit({ status: 'inactive' }) }),
      reasons: [{ code: 'out_of_scope', message: `Deactivated: ${describeVerdict(scope)}.` }],
    };
  }

  /** The quarantine reason of a record whose profile is unreadable, or null. */
  function unreadableReasons(targetId: string | null): QuarantineReason[] | null {
    const problems = targetId === null ? undefined : unreadable.get(targetId);
    if (!problems) return null;
    return [{
      code: 'target_profile_unreadable',
      message: `The HappyPal profile ${targetId} does not match HappyPal's contract (${problems.join(', ') || 'unreadable'}): ` +
        'nothing is written to it until it is fixed on HappyPal.',
    }];
  }

  function planMatched(
    { sourceId, person, unknown, match, extras }: MatchedEntry,
    target: HappyPalUser | undefined,
    snapshot: SnapshotRow | undefined,
  ): PlannedLine | null {
    if (match.kind === 'ambiguous') return reportOnly(buildReportLine({ sourceId, match }));
    for (const field of unknown) notVisible[field] = (notVisible[field] ?? 0) + 1;
    for (const t of extras.unknown) notVisibleExtras.set(t, (notVisibleExtras.get(t) ?? 0) + 1);
    // An unknown contract end says nothing about the lifecycle: a profile keeps its status.
    const desired = unknown.includes('contractEnd') ? null : desiredStatus(person, setup.today);
    if (match.kind === 'create') {
      // A former employee without a profile has nothing to deactivate: no profile is created for them.
      if (desired === 'inactive') return null;
      const createdExtras = mappings.filter((m) => !extras.unknown.includes(m.target))
        .map((m) => ({ key: extraKey(m.target), value: extras.values[m.target] ?? null }));
      const line = buildReportLine({ sourceId, match, source: person, unknown, extraCreate: [
        ...createdExtras, ...extras.unknown.map((t) => ({ key: extraKey(t), value: null, notVisible: true })),
      ] });
      // Unknown fields are left out of the create and of the snapshot: nothing known, nothing written.
      const known = { ...omit(person, unknown), ...Object.fromEntries(createdExtras.map((e) => [e.key, e.value])) };
      const attributes = attributesPatch(createdExtras.filter((e) => e.value !== null), typeOf);
      return withPlan(line, {
        create: { ...omit(happyPalCreateInput(person, sourceId), unknown.map(fieldOf)), ...(attributes && { custom_attributes: attributes }) },
        commit: commit({ link: true, snapshot: known, status: 'active' }),
      });
    }
    if (!target) {
      return { ...reportOnly(buildReportLine({ sourceId, match })), action: 'error', error: 'The linked HappyPal profile no longer exists.' };
    }
    const decision = decideWithKept(person, personFromHappyPal(target), snapshot, policies, unknown);
    const extraDecisions = decideExtras(extras, target, snapshot);
    const lifecycle = desired === null ? null : lifecycleAction(desired, target.status);
    const line = buildReportLine({ sourceId, match, decision, source: person, lifecycle, extraDecisions });
    const openConflicts: PlannedConflict[] = [
      ...decision.conflicts.map((field) => ({
        field, base: decision.fields[field].base ?? null, source: person[field], target: target[field === 'email' ? 'email' : fieldOf(field)],
      })),
      ...extraDecisions.filter((e) => e.decision.conflict).map((e) => ({ field: e.key, base: e.decision.base ?? null, source: e.decision.source, target: e.decision.before })),
    ];
    const conflicted = new Set<string>(openConflicts.map((c) => c.field));
    const invisible = new Set<string>([...unknown, ...extras.unknown.map(extraKey)]);
    // A field the key cannot see says nothing about an open conflict: it stays open.
    const closeConflicts = [...SYNCED_FIELDS, ...mappings.map((m) => extraKey(m.target))]
      .filter((f) => openOf.has(`${sourceId}:${f}`) && !conflicted.has(f) && !invisible.has(f));
    const kept = { ...keptValues(decision, snapshot?.kept ?? {}, personFromHappyPal(target)), ...keptExtras(extraDecisions, snapshot?.kept ?? {}) };
    const newBase: Fields = { ...(decision.newBase as Fields) };
    for (const e of extraDecisions) if (e.decision.newBase !== undefined) newBase[e.key] = e.decision.newBase;
    const attributes = attributesPatch(extraDecisions.filter((e) => e.decision.write).map((e) => ({ key: e.key, value: e.decision.source })), typeOf);
    const update = { ...happyPalPatch(decision.patch), ...(attributes && { custom_attributes: attributes }) };
    const snapshotChanged = !snapshot || !sameFields(snapshot.fields, newBase) || !sameFields(snapshot.kept, kept);
    const nothingToDo = Object.keys(update).length === 0 && !lifecycle && openConflicts.length === 0 &&
      closeConflicts.length === 0 && !snapshotChanged && match.kind === 'linked' && line.action === 'unchanged';
    if (nothingToDo) return null;
    return withPlan(line, {
      ...(Object.keys(update).length > 0 && { update }),
      ...(lifecycle && { lifecycle }),
      commit: commit({
        link: match.kind === 'attach', snapshot: newBase, kept,
        status: lifecycle ? (lifecycle === 'deactivate' ? 'inactive' : 'active') : target.status,
        openConflicts, closeConflicts,
      }),
    });
  }

  /**
   * The three-way decision of each mapped attribute (exact comparison of canonical values), with
   * the same "kept stays kept" rule as the synced fields (decideWithKept).
   */
  function decideExtras(extras: MappedRecord, target: HappyPalUser, snapshot: SnapshotRow | undefined): ExtraDecision[] {
    return mappings.map((m) => {
      const key = extraKey(m.target);
      const policy = m.policy ?? setup.defaultPolicy;
      const targetValue = fromTargetValue(target.custom_attributes?.[m.target]);
      const source = extras.values[m.target] ?? null;
      const base = snapshot && Object.hasOwn(snapshot.fields, key) ? (snapshot.fields[key] ?? null) : undefined;
      const kept = snapshot?.kept[key];
      const effectiveTarget = kept !== undefined && base !== undefined && policy !== 'lucca-wins' && targetValue === kept && source === base ? base : targetValue;
      const decision = decideField({ base, source, target: effectiveTarget, policy, unknown: extras.unknown.includes(m.target) });
      decision.before = targetValue;
      if (!decision.write) decision.after = targetValue;
      return { key, type: m.type, decision };
    });
  }
}

interface ExtraDecision { key: string; type: FieldMapping['type']; decision: FieldDecision }

function keptExtras(decisions: readonly ExtraDecision[], previous: Fields): Fields {
  const kept: Fields = {};
  for (const { key, decision: d } of decisions) {
    const before = previous[key];
    if (d.note === 'manual_edit_kept' || d.note === 'both_changed_kept') kept[key] = d.before;
    else if (d.case === 'unchanged' && before !== undefined && !d.write && d.before === before) kept[key] = before;
    else if (d.case === 'not_visible' && before !== undefined) kept[key] = before;
  }
  return kept;
}

function matchedTarget(match: Match): string | null {
  return match.kind === 'linked' || match.kind === 'attach' ? match.targetId : null;
}

/**
 * The ids of one run in plan order: every fetched source and every missing link, sorted by Lucca id
 * (numeric when both are numbers), cut into chunks. A missing link sits in the chunk of its id, so
 * its "deactivated" line lands in order among the others.
 */
export function planChunks(fetchedIds: readonly string[], missing: readonly Link[], size: number): { sourceIds: string[]; missing: Link[] }[] {
  const missingOf = new Map(missing.map((m) => [m.sourceId, m]));
  const fetched = new Set(fetchedIds);
  const ids = [...fetched, ...[...missingOf.keys()].filter((id) => !fetched.has(id))].sort(compareIds);
  const chunks: { sourceIds: string[]; missing: Link[] }[] = [];
  for (let i = 0; i < ids.length; i += size) {
    const slice = ids.slice(i, i + size);
    chunks.push({
      sourceIds: slice.filter((id) => fetched.has(id)),
      missing: slice.filter((id) => !fetched.has(id)).map((id) => missingOf.get(id) as Link),
    });
  }
  return chunks;
}

/**
 * The whole HappyPal plan of one run, as a pure function of what was read: Lucca records, the
 * target's profiles, our links, snapshots (bases) and open conflicts. No I/O, so it is unit-tested.
 * The activity runs the same planner chunk by chunk (`chunkSize`), with each chunk's rows loaded from
 * Postgres; this function is its in-memory reference.
 */
export function planRecords(input: PlanInput, chunkSize = Number.POSITIVE_INFINITY): Plan {
  const snapshotOf = new Map(input.snapshots.map((s) => [s.sourceId, s.fields]));
  const evidence = emptyEvidence();
  const mappedEvidence = emptyMappedEvidence(input.mappings ?? []);
  for (const { sourceId, data } of input.sources) {
    addEvidence(evidence, data, snapshotOf.get(sourceId));
    addMappedEvidence(mappedEvidence, data, snapshotOf.get(sourceId), input.mappings ?? []);
  }
  const planner = createPlanner({
    ...input,
    targetEmails: [...input.targets, ...(input.unreadableTargets ?? [])].map((t) => ({ targetId: 'id' in t ? t.id : t.targetId, email: t.email ?? null })),
    hidden: hiddenFields(evidence), visibilityBaseline: input.visibilityBaseline ?? null, confirmVisibility: !!input.confirmVisibility,
    hiddenMappings: hiddenMappings(mappedEvidence),
  });
  planner.claim(input.sources);
  const fetchedIds = input.sources.map((s) => s.sourceId);
  const linkedTarget = new Map(input.links.map((l) => [l.sourceId, l.targetId]));
  const missing = missingSourceIds(linkedTarget.keys(), fetchedIds).map((sourceId) => ({ sourceId, targetId: linkedTarget.get(sourceId) as string }));
  const sourceOf = new Map(input.sources.map((s) => [s.sourceId, s]));
  const lines: PlannedLine[] = [];
  const quarantined: Plan['quarantined'] = [];
  const size = Number.isFinite(chunkSize) ? chunkSize : Math.max(1, fetchedIds.length + missing.length);
  for (const ids of planChunks(fetchedIds, missing, size)) {
    const chunk = planner.match(ids.sourceIds.map((id) => sourceOf.get(id) as StagedRow), ids.missing);
    const [wantedTargets, wantedSources] = [new Set(chunk.targetIds), new Set(chunk.sourceIds)];
    const out = planner.plan(chunk, input.targets.filter((t) => wantedTargets.has(t.id)), input.snapshots.filter((s) => wantedSources.has(s.sourceId)));
    lines.push(...out.lines);
    quarantined.push(...out.quarantined);
  }
  return { lines, quarantined, ...planner.finish() };
}

function fieldOf(field: SyncedField): HappyPalEditableField {
  return ({ firstName: 'first_name', lastName: 'last_name', email: 'email', birthDate: 'birth_date', contractStart: 'contract_start', contractEnd: 'contract_end' } as const)[field];
}

/**
 * A value kept on purpose stays kept while neither side moves: the field is then unchanged, not a
 * fresh "manual edit kept" every run. If Lucca or the target changes it again, the table applies.
 */
function decideWithKept(
  source: Person, target: Person, snapshot: PlanInput['snapshots'][number] | undefined, policies: ReturnType<typeof resolvePolicies>,
  unknown: readonly SyncedField[],
): RecordDecision {
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
  const decision = decideRecord({ base, source, target: effectiveTarget as Person, policies, unknown });
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
    else if (d.case === 'not_visible' && before !== undefined) kept[field] = before; // nothing new is known
  }
  return kept;
}

/** The `custom_attributes` object of a create or update (numbers as JSON numbers), or null when empty. */
function attributesPatch(values: readonly { key: string; value: string | null }[], types?: Map<string, FieldMapping['type']>): Record<string, string | number | null> | null {
  if (values.length === 0) return null;
  return Object.fromEntries(values.map(({ key, value }) => [targetOfExtraKey(key), toTargetValue(types?.get(key) ?? 'text', value)]));
}

function omit<T extends object>(record: T, keys: readonly string[]): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(record)) if (!keys.includes(key)) out[key] = value as string | null;
  return out;
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
