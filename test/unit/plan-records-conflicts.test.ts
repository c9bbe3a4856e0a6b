/**
 * planRecords: the conflict table (docs/design.md §3) as composed by the planner — policies on a hand
 * edit, kept values, open and closed conflicts.
 */
import { describe, expect, it } from 'vitest';
import { planRecords, type Plan, type PlannedLine } from '../../activities/targets/happypal/plan-records.js';
import type { Policy } from '../../rules/three-way.js';
import { aPlanInput, aSyncedEmployee, personOf, withEmployees, type SyncedEmployee } from './support/builders.js';

function lineOf(plan: Plan, sourceId: string): PlannedLine {
  const found = plan.lines.filter((l) => l.sourceId === sourceId);
  expect(found, `exactly one line for source ${sourceId}`).toHaveLength(1);
  return found[0] as PlannedLine;
}

function planFor(e: SyncedEmployee, policy: Policy, extra: Parameters<typeof aPlanInput>[0] = {}): Plan {
  return planRecords(aPlanInput({ ...withEmployees([e]), defaultPolicy: policy, ...extra }));
}

/** HappyPal's last name was edited by hand; Lucca still has the base value. */
const handEdited = () => aSyncedEmployee(12, { profile: { last_name: 'Martin-Edited', updated_by: 'admin:hr@acme.example' } });

describe('planRecords: a hand edit on HappyPal, per policy', () => {
  it('lucca-wins: overwrites, with the "manual edit overwritten" note and both values', () => {
    const e = handEdited();
    const line = lineOf(planFor(e, 'lucca-wins'), '12');
    expect(line).toMatchObject({ action: 'overwrote_manual_edit', also: [], outcome: 'planned' });
    expect(line.plan?.update).toEqual({ last_name: 'Martin' });
    expect(line.changes).toEqual([
      { field: 'lastName', before: 'Martin-Edited', after: 'Martin', source: 'Martin', base: 'Martin', note: 'manual_edit_overwritten' },
    ]);
    expect(line.plan?.commit).toMatchObject({ snapshot: personOf(e.user), kept: {}, openConflicts: [], closeConflicts: [] });
  });

  it('target-wins: no update; commit.kept records the target value; the note says the edit was kept', () => {
    const e = handEdited();
    const line = lineOf(planFor(e, 'target-wins'), '12');
    expect(line).toMatchObject({ action: 'kept_manual_edit', outcome: 'planned' });
    expect(line.plan?.update).toBeUndefined();
    expect(line.plan?.commit.kept).toEqual({ lastName: 'Martin-Edited' });
    expect(line.plan?.commit.snapshot).toEqual(personOf(e.user));
    expect(line.plan?.commit.openConflicts).toEqual([]);
    expect(line.changes).toEqual([
      { field: 'lastName', before: 'Martin-Edited', after: 'Martin-Edited', source: 'Martin', base: 'Martin', note: 'manual_edit_kept' },
    ]);
  });

  it('review: no update; commit.openConflicts has { field, base, source, target }; the old base is kept', () => {
    const e = handEdited();
    const line = lineOf(planFor(e, 'review'), '12');
    expect(line).toMatchObject({ action: 'conflict', outcome: 'planned' });
    expect(line.plan?.update).toBeUndefined();
    expect(line.plan?.commit.openConflicts).toEqual([{ field: 'lastName', base: 'Martin', source: 'Martin', target: 'Martin-Edited' }]);
    expect(line.plan?.commit.snapshot).toEqual(personOf(e.user));
    expect(line.plan?.commit.kept).toEqual({});
    expect(line.changes).toEqual([
      { field: 'lastName', before: 'Martin-Edited', after: 'Martin-Edited', source: 'Martin', base: 'Martin', note: 'conflict' },
    ]);
  });

  it('review on a date field: the conflict carries the HappyPal value of that field', () => {
    const e = aSyncedEmployee(12, { profile: { birth_date: '1991-01-02' } });
    const line = lineOf(planFor(e, 'review'), '12');
    expect(line.plan?.commit.openConflicts).toEqual([{ field: 'birthDate', base: '1990-01-02', source: '1990-01-02', target: '1991-01-02' }]);
  });

  it('per-field policies override the default: each field follows its own rule in one line', () => {
    const e = aSyncedEmployee(12, { profile: { first_name: 'Ally', last_name: 'Martin-Edited', birth_date: '1991-01-02' } });
    const line = lineOf(planFor(e, 'lucca-wins', { fieldPolicies: { lastName: 'target-wins', birthDate: 'review' } }), '12');
    expect(line.action).toBe('conflict');
    expect(line.also).toEqual(['overwrote_manual_edit', 'kept_manual_edit']);
    expect(line.plan?.update).toEqual({ first_name: 'Alice' });
    expect(line.plan?.commit.kept).toEqual({ lastName: 'Martin-Edited' });
    expect(line.plan?.commit.openConflicts.map((c) => c.field)).toEqual(['birthDate']);
  });

  it('both changed (all three differ), lucca-wins: overwrites with the source, reporting both values', () => {
    const e = aSyncedEmployee(12, { lucca: { lastName: 'Durand' }, profile: { last_name: 'Martin-Edited' } });
    const line = lineOf(planFor(e, 'lucca-wins'), '12');
    expect(line.action).toBe('overwrote_manual_edit');
    expect(line.plan?.update).toEqual({ last_name: 'Durand' });
    expect(line.changes).toEqual([
      { field: 'lastName', before: 'Martin-Edited', after: 'Durand', source: 'Durand', base: 'Martin', note: 'both_changed_overwritten' },
    ]);
  });

  it('Lucca changed, target untouched: the source is written under every policy', () => {
    for (const policy of ['lucca-wins', 'target-wins', 'review'] as const) {
      const e = aSyncedEmployee(12, { lucca: { lastName: 'Durand' } });
      const line = lineOf(planFor(e, policy), '12');
      expect(line.action, policy).toBe('updated');
      expect(line.plan?.update, policy).toEqual({ last_name: 'Durand' });
    }
  });
});

describe('planRecords: kept values', () => {
  /** The state after a target-wins run kept the hand edit: base = source, kept = the target value. */
  const keptState = (opts: Parameters<typeof aSyncedEmployee>[1] = {}) =>
    aSyncedEmployee(12, { profile: { last_name: 'Martin-Edited' }, kept: { lastName: 'Martin-Edited' }, ...opts });

  it('a kept value stays quiet: kept = target and source = base → no line', () => {
    expect(planFor(keptState(), 'target-wins').lines).toEqual([]);
  });

  it('a kept value stays quiet even when other fields are synced normally (only those are written)', () => {
    const e = keptState({ lucca: { firstName: 'Alicia' } });
    const line = lineOf(planFor(e, 'target-wins'), '12');
    expect(line.action).toBe('updated');
    expect(line.plan?.update).toEqual({ first_name: 'Alicia' });
    expect(line.plan?.commit.kept).toEqual({ lastName: 'Martin-Edited' });
    expect(line.changes.map((c) => (c as { field: string }).field)).toEqual(['firstName']);
  });

  it('if Lucca then changes the kept field, the both-changed rule applies (target-wins: kept again, reported)', () => {
    const e = keptState({ lucca: { lastName: 'Durand' } });
    const line = lineOf(planFor(e, 'target-wins'), '12');
    expect(line.action).toBe('kept_manual_edit');
    expect(line.plan?.update).toBeUndefined();
    expect(line.changes).toEqual([
      { field: 'lastName', before: 'Martin-Edited', after: 'Martin-Edited', source: 'Durand', base: 'Martin', note: 'both_changed_kept' },
    ]);
    expect(line.plan?.commit.snapshot).toMatchObject({ lastName: 'Durand' });
    expect(line.plan?.commit.kept).toEqual({ lastName: 'Martin-Edited' });
  });

  it('if Lucca then changes the kept field under review, a conflict opens with the real target value', () => {
    const e = keptState({ lucca: { lastName: 'Durand' } });
    const line = lineOf(planFor(e, 'review'), '12');
    expect(line.action).toBe('conflict');
    expect(line.plan?.commit.openConflicts).toEqual([{ field: 'lastName', base: 'Martin', source: 'Durand', target: 'Martin-Edited' }]);
  });

  it('if Lucca then changes the kept field under lucca-wins, the target is overwritten and kept is cleared', () => {
    const e = keptState({ lucca: { lastName: 'Durand' } });
    const line = lineOf(planFor(e, 'lucca-wins'), '12');
    expect(line.action).toBe('overwrote_manual_edit');
    expect(line.plan?.update).toEqual({ last_name: 'Durand' });
    expect(line.plan?.commit.kept).toEqual({});
  });

  it('if Lucca then adopts the kept value, it converges: base moves, kept is cleared, nothing written', () => {
    const e = keptState({ lucca: { lastName: 'Martin-Edited' } });
    const line = lineOf(planFor(e, 'target-wins'), '12');
    expect(line.action).toBe('unchanged');
    expect(line.plan?.update).toBeUndefined();
    expect(line.plan?.commit.snapshot).toMatchObject({ lastName: 'Martin-Edited' });
    expect(line.plan?.commit.kept).toEqual({});
  });

  it('if HappyPal is edited again to a new value, the hand-edit rule applies to the new value', () => {
    const e = keptState({ profile: { last_name: 'Martin-Edited-Twice' } });
    const line = lineOf(planFor(e, 'target-wins'), '12');
    expect(line.action).toBe('kept_manual_edit');
    expect(line.plan?.commit.kept).toEqual({ lastName: 'Martin-Edited-Twice' });
  });

  it('if the hand edit is reverted on HappyPal (target = source = base again), the stale kept value is cleared', () => {
    // The target no longer holds the kept value: keeping it would silence a later hand edit back to
    // that same value (and, under lucca-wins, stop it from ever being overwritten).
    const e = aSyncedEmployee(12, { kept: { lastName: 'Martin-Edited' } }); // profile back to 'Martin'
    const plan = planFor(e, 'target-wins');
    const line = plan.lines.find((l) => l.sourceId === '12');
    expect(line?.plan?.commit.kept ?? 'no commit', 'kept must no longer hold lastName').toEqual({});
    expect(line?.plan?.update).toBeUndefined();
  });

  it('a conflict resolved "keep HappyPal" under review (base = source, kept = target) stays quiet', () => {
    expect(planFor(keptState(), 'review').lines).toEqual([]);
  });

  it('across runs: after a revert on HappyPal, a new hand edit back to the old kept value is not silenced (review opens a conflict)', () => {
    // Run 1: a conflict was resolved "keep HappyPal" ('Martin-Edited' kept), then HR reverted HappyPal to 'Martin'.
    const run1 = aSyncedEmployee(12, { kept: { lastName: 'Martin-Edited' } });
    const plan1 = planFor(run1, 'review');
    const commit1 = plan1.lines.find((l) => l.sourceId === '12')?.plan?.commit;
    const snapshot2 = commit1?.snapshot
      ? { ...run1.snapshot, fields: commit1.snapshot, kept: commit1.kept }
      : run1.snapshot; // no line: the stored snapshot stays as it was
    // Run 2: someone edits HappyPal back to 'Martin-Edited': a fresh hand edit, which review must surface.
    const run2 = { ...run1, target: { ...run1.target, last_name: 'Martin-Edited' }, snapshot: snapshot2 };
    const line = planFor(run2, 'review').lines.find((l) => l.sourceId === '12');
    expect(line?.action).toBe('conflict');
    expect(line?.plan?.commit.openConflicts).toEqual([{ field: 'lastName', base: 'Martin', source: 'Martin', target: 'Martin-Edited' }]);
  });
});

describe('planRecords: open conflicts', () => {
  it('an open conflict whose values converged → commit.closeConflicts contains the field', () => {
    // Review opened a conflict on lastName (target 'Martin-Edited'); HR then set Lucca to the same value.
    const e = aSyncedEmployee(12, { lucca: { lastName: 'Martin-Edited' }, profile: { last_name: 'Martin-Edited' } });
    const plan = planFor(e, 'review', { openConflicts: [{ sourceId: '12', field: 'lastName' }] });
    const line = lineOf(plan, '12');
    expect(line.action).toBe('unchanged');
    expect(line.plan?.update).toBeUndefined();
    expect(line.plan?.commit.closeConflicts).toEqual(['lastName']);
    expect(line.plan?.commit.openConflicts).toEqual([]);
    expect(line.plan?.commit.snapshot).toMatchObject({ lastName: 'Martin-Edited' });
  });

  it('an open conflict resolved on HappyPal (target back to base) → closed, even though nothing else changed', () => {
    const e = aSyncedEmployee(12);
    const line = lineOf(planFor(e, 'review', { openConflicts: [{ sourceId: '12', field: 'birthDate' }] }), '12');
    expect(line.plan?.commit.closeConflicts).toEqual(['birthDate']);
    expect(line.plan?.update).toBeUndefined();
  });

  it('a still-divergent open conflict stays open (re-reported), and is not closed', () => {
    const e = handEdited();
    const line = lineOf(planFor(e, 'review', { openConflicts: [{ sourceId: '12', field: 'lastName' }] }), '12');
    expect(line.action).toBe('conflict');
    expect(line.plan?.commit.closeConflicts).toEqual([]);
    expect(line.plan?.commit.openConflicts.map((c) => c.field)).toEqual(['lastName']);
  });

  it('open conflicts of another employee are not closed by this one', () => {
    const a = aSyncedEmployee(12, { lucca: { firstName: 'Alicia' } });
    const b = aSyncedEmployee(13, { profile: { last_name: 'Edited' } });
    const plan = planRecords(aPlanInput({ ...withEmployees([a, b]), defaultPolicy: 'review', openConflicts: [{ sourceId: '13', field: 'lastName' }] }));
    expect(lineOf(plan, '12').plan?.commit.closeConflicts).toEqual([]);
    expect(lineOf(plan, '13').plan?.commit.closeConflicts).toEqual([]);
  });
});
