/**
 * An independent reference model of the HappyPal sync (docs/design.md §3), for the model-based
 * convergence test. It imports nothing from activities/: it keeps its own idea of what HappyPal
 * holds, its own base per field (what we last wrote or agreed on), its own links, and predicts,
 * for each run, what HappyPal must hold afterwards and what the run report must count.
 *
 * The rules, from docs/design.md §3, plus the decisions the implementation documents (three-way.ts,
 * plan-records.ts, lifecycle.ts, matching.ts, report-line.ts), restated here from their text:
 *
 * Per field, with base b, source s (Lucca now), target t (HappyPal now), compared after
 * normalisation (emails: trim, NFC, lower-case; names: trim, inner spaces collapsed, NFC; dates exact):
 *  - t = s:                       nothing to write; base becomes s ("converged"), or stays if b = s.
 *  - no base yet, or t = b:       Lucca changed → write s (every policy); base = s.
 *  - t ≠ b, t ≠ s (hand edit, or both changed):
 *      lucca-wins  → write s, "overwrote_manual_edit"; base = s
 *      target-wins → keep t, "kept_manual_edit"; base = s; t is remembered as kept
 *      review      → keep t, "conflict" (every run while it lasts); base unchanged
 *  - A value kept under target-wins stays quietly kept while neither side moves (t still equals
 *    the kept value and s still equals the base): no new report.
 * Matching: our link first; else the normalised email among HappyPal's profiles (one candidate,
 * not linked to someone else, wanted by one unlinked employee → attach; several → ambiguous); else
 * create. A former employee without a profile gets none.
 * Lifecycle: inactive when the contract ended strictly before today, else active; deactivate /
 * reactivate the profile accordingly; a linked employee Lucca no longer returns is deactivated.
 * Guard: when deactivations × 100 > guard% × links (and links > 0), nothing is written ("blocked").
 * Open conflicts (review): listed while the field is in conflict; closed when a run of that
 * employee finds the values converged (or the field no longer in conflict); an employee the run does
 * not look at (quarantined, gone from Lucca, ambiguous) keeps its open conflicts as they were.
 * Report: one primary action per record, by precedence quarantined > ambiguous > created >
 * attached > conflict > overwrote_manual_edit > kept_manual_edit > deactivated > reactivated >
 * updated; a blocked run still counts what it would have done.
 */

export const FIELDS = ['firstName', 'lastName', 'email', 'birthDate', 'contractStart', 'contractEnd'] as const;
export type Field = (typeof FIELDS)[number];
export type Fields = Record<Field, string | null>;
export type Policy = 'lucca-wins' | 'target-wins' | 'review';
export type Status = 'active' | 'inactive';

/** HappyPal's field names, for comparing with its dump. */
export const TARGET_FIELD: Record<Field, 'first_name' | 'last_name' | 'email' | 'birth_date' | 'contract_start' | 'contract_end'> = {
  firstName: 'first_name', lastName: 'last_name', email: 'email', birthDate: 'birth_date', contractStart: 'contract_start', contractEnd: 'contract_end',
};

export const COUNTED = [
  'created', 'attached', 'updated', 'deactivated', 'reactivated', 'overwrote_manual_edit', 'kept_manual_edit',
  'conflict', 'quarantined', 'ambiguous', 'error',
] as const;
export type Counted = (typeof COUNTED)[number];
const PRECEDENCE: readonly Counted[] = [
  'quarantined', 'ambiguous', 'created', 'attached', 'conflict', 'overwrote_manual_edit', 'kept_manual_edit',
  'deactivated', 'reactivated', 'updated',
];

const normEmail = (s: string) => s.trim().normalize('NFC').toLowerCase().normalize('NFC');
const normName = (s: string) => s.trim().replace(/\s+/gu, ' ').normalize('NFC');
export function normalise(field: Field, v: string | null): string | null {
  if (v === null) return null;
  if (field === 'email') return normEmail(v);
  if (field === 'firstName' || field === 'lastName') return normName(v);
  return v;
}
const same = (field: Field, a: string | null, b: string | null) => normalise(field, a) === normalise(field, b);

/** One Lucca employee as Lucca serves it (raw), or a record the simulator broke on purpose. */
export interface SourceRecord {
  sourceId: string;
  /** null: invalid on purpose (quarantined, never written). */
  raw: { firstName: string; lastName: string | null; mail: string; birthDate: string | null; contractStart: string | null; contractEnd: string | null } | null;
}

/** What the oracle believes one HappyPal profile holds. */
export interface OracleProfile {
  key: string;
  /** HappyPal's id, once known (seeded profiles: at once; created ones: after the run). */
  id: string | null;
  /** external_id we sent when creating it (sourceId), null for profiles made in HappyPal. */
  externalId: string | null;
  fields: Fields;
  status: Status;
}

interface RecordState {
  profileKey: string;
  /** Undefined until a first commit (an attached profile has no base before its first run). */
  base: Fields | undefined;
  kept: Partial<Fields>;
}

/** An open conflict as the oracle sees it: the three values of the run that last saw it. */
export interface OpenConflict {
  base: string | null;
  source: string | null;
  target: string | null;
}

export interface Prediction {
  status: 'completed' | 'blocked';
  counts: Record<Counted, number>;
  /** Number of records (Lucca employees) the prediction covers. */
  records: number;
  /** Apply the prediction to the oracle's state (what a completed run commits). */
  commit(): void;
  /** Profiles created by this run, by sourceId (their HappyPal ids are learnt after the run). */
  created: string[];
  /** Employees reported ambiguous (never written): an incremental run re-reads them next time. */
  ambiguous: string[];
}

export interface SyncOptions {
  today: string;
  policy: Policy;
  fieldPolicies?: Partial<Record<Field, Policy>>;
  guardPct?: number;
  confirmDeactivations?: boolean;
  /**
   * An incremental read: `sources` are only the employees Lucca returned to it. Nobody else counts as
   * gone, and matching sees only their claims (the rules of docs/design.md §3 applied to what was read).
   */
  incremental?: boolean;
}

export class SyncOracle {
  readonly profiles = new Map<string, OracleProfile>();
  private readonly records = new Map<string, RecordState>();
  /** Open conflicts by `${sourceId}:${field}`. */
  readonly conflicts = new Map<string, OpenConflict>();

  /** A profile made in HappyPal by hand before any sync (attach candidates). */
  seedProfile(id: string, fields: Fields, status: Status): void {
    this.profiles.set(id, { key: id, id, externalId: null, fields: { ...fields }, status });
  }

  /** A hand edit on HappyPal, as the test made it. */
  handEdit(profileKey: string, field: Field, value: string | null): void {
    const profile = this.profiles.get(profileKey);
    if (!profile) throw new Error(`oracle: no profile ${profileKey}`);
    profile.fields[field] = value;
  }

  /** The profile linked to a Lucca employee, if any. */
  profileOf(sourceId: string): OracleProfile | undefined {
    const state = this.records.get(sourceId);
    return state ? this.profiles.get(state.profileKey) : undefined;
  }

  linkedCount(): number {
    return this.records.size;
  }

  /** Predicts one run over what Lucca serves now (every employee, former ones included). */
  predict(sources: readonly SourceRecord[], options: SyncOptions): Prediction {
    const { today } = options;
    const policyOf = (f: Field): Policy => options.fieldPolicies?.[f] ?? options.policy;
    const counts = Object.fromEntries(COUNTED.map((c) => [c, 0])) as Record<Counted, number>;
    const count = (actions: Set<Counted>) => {
      const primary = PRECEDENCE.find((a) => actions.has(a));
      if (primary) counts[primary] += 1;
    };
    // Work on copies: a blocked run commits nothing.
    const profiles = new Map([...this.profiles].map(([k, p]) => [k, { ...p, fields: { ...p.fields } }]));
    const records = new Map([...this.records].map(([k, r]) => [k, { ...r, base: r.base && { ...r.base }, kept: { ...r.kept } }]));
    const conflicts = new Map(this.conflicts);
    const created: string[] = [];
    const ambiguous: string[] = [];
    let deactivations = 0;

    const valid: { sourceId: string; person: Fields }[] = [];
    for (const s of sources) {
      if (!s.raw) {
        count(new Set(['quarantined']));
        continue;
      }
      valid.push({
        sourceId: s.sourceId,
        person: {
          firstName: normName(s.raw.firstName), lastName: normName(s.raw.lastName ?? ''), email: normEmail(s.raw.mail),
          birthDate: s.raw.birthDate, contractStart: s.raw.contractStart, contractEnd: s.raw.contractEnd,
        },
      });
    }

    // Matching, on the state before the run.
    const linkedKeys = new Set([...records.values()].map((r) => r.profileKey));
    const byEmail = new Map<string, string[]>();
    for (const p of profiles.values()) {
      const list = byEmail.get(normEmail(p.fields.email ?? '')) ?? [];
      list.push(p.key);
      byEmail.set(normEmail(p.fields.email ?? ''), list);
    }
    const wanted = new Map<string, number>();
    for (const v of valid) if (!records.has(v.sourceId)) wanted.set(v.person.email ?? '', (wanted.get(v.person.email ?? '') ?? 0) + 1);

    for (const { sourceId, person } of valid) {
      const desired: Status = person.contractEnd !== null && person.contractEnd < today ? 'inactive' : 'active';
      const actions = new Set<Counted>();
      let state = records.get(sourceId);
      if (!state) {
        const candidates = byEmail.get(person.email ?? '') ?? [];
        const rivals = wanted.get(person.email ?? '') ?? 1;
        const [only] = candidates;
        if (only === undefined) {
          if (rivals > 1) { count(new Set(['ambiguous'])); ambiguous.push(sourceId); continue; }
          if (desired === 'inactive') continue; // a former employee without a profile gets none
          const key = `ext:${sourceId}`;
          profiles.set(key, { key, id: null, externalId: sourceId, fields: { ...person }, status: 'active' });
          records.set(sourceId, { profileKey: key, base: { ...person }, kept: {} });
          created.push(sourceId);
          count(new Set(['created']));
          continue;
        }
        if (candidates.length > 1 || linkedKeys.has(only) || rivals > 1) { count(new Set(['ambiguous'])); ambiguous.push(sourceId); continue; }
        state = { profileKey: only, base: undefined, kept: {} };
        records.set(sourceId, state);
        actions.add('attached');
      }
      const profile = profiles.get(state.profileKey) as OracleProfile;
      for (const f of FIELDS) conflicts.delete(`${sourceId}:${f}`);
      const newBase = {} as Fields;
      const newKept: Partial<Fields> = {};
      for (const f of FIELDS) {
        const b = state.base?.[f];
        const s = person[f];
        const t = profile.fields[f];
        const k = state.kept[f];
        const policy = policyOf(f);
        // A value kept on purpose stays kept while neither side moves.
        const eff = policy !== 'lucca-wins' && k !== undefined && b !== undefined && same(f, t, k) && same(f, s, b) ? b : t;
        let write = false;
        let kase: 'unchanged' | 'converged' | 'changed' | 'edited';
        if (same(f, eff, s)) {
          kase = b !== undefined && same(f, b, s) ? 'unchanged' : 'converged';
          newBase[f] = kase === 'unchanged' ? (b as string | null) : s;
        } else if (b === undefined || same(f, eff, b)) {
          kase = 'changed';
          write = true;
          newBase[f] = s;
          actions.add('updated');
        } else {
          kase = 'edited';
          if (policy === 'lucca-wins') {
            write = true;
            newBase[f] = s;
            actions.add('overwrote_manual_edit');
          } else if (policy === 'target-wins') {
            newBase[f] = s;
            newKept[f] = t;
            actions.add('kept_manual_edit');
          } else {
            newBase[f] = b as string | null;
            actions.add('conflict');
            conflicts.set(`${sourceId}:${f}`, { base: b as string | null, source: s, target: t });
          }
        }
        if (kase === 'unchanged' && k !== undefined && !write && same(f, t, k)) newKept[f] = k;
        if (write) profile.fields[f] = s;
      }
      state.base = newBase;
      state.kept = newKept;
      if (profile.status !== desired) {
        actions.add(desired === 'inactive' ? 'deactivated' : 'reactivated');
        if (desired === 'inactive') deactivations += 1;
        profile.status = desired;
      }
      count(actions);
    }

    // Linked employees Lucca no longer returns at all (only a full read can tell).
    const returned = new Set(sources.map((s) => s.sourceId));
    for (const [sourceId, state] of options.incremental ? [] : records) {
      if (returned.has(sourceId)) continue;
      const profile = profiles.get(state.profileKey) as OracleProfile;
      if (profile.status !== 'active') continue;
      profile.status = 'inactive';
      deactivations += 1;
      count(new Set(['deactivated']));
    }

    const links = this.records.size;
    const guard = options.guardPct ?? 10;
    const blocked = links > 0 && deactivations > 0 && deactivations * 100 > guard * links && !options.confirmDeactivations;
    return {
      status: blocked ? 'blocked' : 'completed',
      counts,
      records: sources.length,
      created: blocked ? [] : created,
      ambiguous,
      commit: () => {
        if (blocked) return;
        this.profiles.clear();
        for (const [k, p] of profiles) this.profiles.set(k, p);
        this.records.clear();
        for (const [k, r] of records) this.records.set(k, r);
        this.conflicts.clear();
        for (const [k, c] of conflicts) this.conflicts.set(k, c);
      },
    };
  }
}
