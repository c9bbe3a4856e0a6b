/**
 * planRecords and "unknown is not empty" (docs/design.md §3): a value the Lucca key cannot see (left out
 * of the record, or null for everyone read while we had synced values) is never written and never a
 * change, under every policy; the visibility guard stops the run before any write.
 */
import { describe, expect, it } from 'vitest';
import { planRecords, type Plan, type PlanInput, type PlannedLine } from '../../activities/targets/happypal/plan-records.js';
import type { Policy } from '../../rules/three-way.js';
import type { VisibilityCounts } from '../../rules/visibility.js';
import { aLuccaUser, aPlanInput, aSource, aSyncedEmployee, TODAY, withEmployees } from './support/builders.js';

const omitBirth = (s: PlanInput['sources'][number]) => {
  const { birthDate: _, ...rest } = s.data as Record<string, unknown>;
  return { ...s, data: rest };
};
const lineOf = (plan: Plan, id: string) => plan.lines.find((l) => l.sourceId === id) as PlannedLine;
const hiddenAs = {
  omitted: (input: PlanInput): PlanInput => ({ ...input, sources: input.sources.map(omitBirth) }),
  null: (input: PlanInput): PlanInput => ({ ...input, sources: input.sources.map((s) => ({ ...s, data: { ...(s.data as object), birthDate: null } })) }),
};

describe.each(['omitted', 'null'] as const)('birth dates hidden (%s)', (how) => {
  // Three synced employees; one hand edit on HappyPal's birth date; one Lucca rename.
  const employees = () => [
    aSyncedEmployee(1),
    aSyncedEmployee(2, { profile: { birth_date: '1985-05-05' } }),
    aSyncedEmployee(3, { lucca: { firstName: 'Renamed' } }),
  ];
  it.each<Policy>(['lucca-wins', 'target-wins', 'review'])('under %s: no birth date written, no conflict, base unchanged, the rest syncs', (policy) => {
    const plan = planRecords(hiddenAs[how](aPlanInput({ ...withEmployees(employees()), defaultPolicy: policy })));
    expect(plan.blockedReason).toBeNull();
    expect(plan.lines.map((l) => [l.sourceId, l.action])).toEqual([['3', 'updated']]);
    const line = lineOf(plan, '3');
    expect(line.plan?.update).toEqual({ first_name: 'Renamed' });
    expect(line.plan?.commit.snapshot).toMatchObject({ firstName: 'Renamed', birthDate: '1990-01-02' });
    expect(line.plan?.commit.openConflicts).toEqual([]);
    expect(line.changes).toContainEqual({ field: 'birthDate', before: '1990-01-02', after: '1990-01-02', note: 'not_visible' });
    expect(plan.notice).toContain('birthDate was not visible to the Lucca key for 3 employee(s)');
  });

  it('a create leaves the unknown field out of the payload and of the snapshot', () => {
    const input = aPlanInput({ ...withEmployees([aSyncedEmployee(1), aSyncedEmployee(2)]) });
    input.sources.push(aSource(aLuccaUser({ id: 9 })));
    const line = lineOf(planRecords(hiddenAs[how](input)), '9');
    expect(line.action).toBe('created');
    expect(line.plan?.create).not.toHaveProperty('birth_date');
    expect(line.plan?.commit.snapshot).not.toHaveProperty('birthDate');
    expect(line.changes).toContainEqual({ field: 'birthDate', before: null, after: null, note: 'not_visible' });
  });
});

describe('a genuine clear is a change', () => {
  it('one person whose birth date is cleared in Lucca, others still valued → written as null', () => {
    const plan = planRecords(aPlanInput(withEmployees([aSyncedEmployee(1, { lucca: { birthDate: null } }), aSyncedEmployee(2), aSyncedEmployee(3)])));
    expect(lineOf(plan, '1')).toMatchObject({ action: 'updated', plan: { update: { birth_date: null } } });
    expect(plan.notice).toBeNull();
  });
  it('the only person read, cleared → still a change (below the hidden threshold)', () => {
    const plan = planRecords(aPlanInput(withEmployees([aSyncedEmployee(1, { lucca: { birthDate: null } })])));
    expect(lineOf(plan, '1').plan?.update).toEqual({ birth_date: null });
  });
});

describe('an unknown contract end and the lifecycle', () => {
  it('a linked profile keeps its status when the contract end is left out', () => {
    const e = aSyncedEmployee(1, { profile: { status: 'inactive', contract_end: '2025-01-01' }, base: { contractEnd: '2025-01-01' } });
    const { dtContractEnd: _, ...rest } = e.user;
    const plan = planRecords(aPlanInput({ ...withEmployees([e]), sources: [{ sourceId: '1', data: rest }] }));
    expect(plan.lines).toEqual([]);
  });
});

describe('the visibility guard in the plan', () => {
  const baseline: VisibilityCounts = {
    day: TODAY, read: 4, former: 0, future: 0, valued: { firstName: 4, lastName: 4, email: 4, birthDate: 4, contractStart: 4, contractEnd: 0 },
  };
  const four = () => [1, 2, 3, 4].map((id) => aSyncedEmployee(id));
  it('birth dates gone for everyone → blocked, with the counts to keep', () => {
    const plan = planRecords(hiddenAs.omitted(aPlanInput({ ...withEmployees(four()), visibilityBaseline: baseline })));
    expect(plan.blockedReason).toContain('birthDate had a value for 4 people, now 0');
    expect(plan.visibility).toMatchObject({ read: 4, valued: { birthDate: 0 } });
  });
  it('confirmed → not blocked, the note says so', () => {
    const plan = planRecords(hiddenAs.omitted(aPlanInput({ ...withEmployees(four()), visibilityBaseline: baseline, confirmVisibility: true })));
    expect(plan.blockedReason).toBeNull();
    expect(plan.notice).toContain('confirmed by the operator');
  });
  it('both guards hold → both messages', () => {
    const e = four();
    const input = aPlanInput({ ...withEmployees(e), visibilityBaseline: { ...baseline, read: 4 } });
    input.sources = input.sources.slice(0, 1).map(omitBirth); // three people gone (75 % of linked) and birth dates hidden
    const plan = planRecords(input);
    expect(plan.blockedReason).toContain('Visibility guard');
    expect(plan.blockedReason).toContain('Deactivation guard');
  });
});
