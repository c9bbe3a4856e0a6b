/**
 * planRecords: lifecycle (deactivate on contract end, reactivate on rehire, employees no longer
 * returned) and the deactivation guard (docs/design.md §3 "Lifecycle").
 */
import { describe, expect, it } from 'vitest';
import { planRecords, type Plan, type PlannedLine } from '../../activities/targets/happypal/plan-records.js';
import { aPlanInput, aRawSource, aSyncedEmployee, withEmployees, type SyncedEmployee } from './support/builders.js';

function lineOf(plan: Plan, sourceId: string): PlannedLine {
  const found = plan.lines.filter((l) => l.sourceId === sourceId);
  expect(found, `exactly one line for source ${sourceId}`).toHaveLength(1);
  return found[0] as PlannedLine;
}

const ENDED = '2025-05-31T00:00:00'; // before TODAY (2025-06-15)

/** `n` linked employees in sync, ids 1..n. */
const team = (n: number): SyncedEmployee[] => Array.from({ length: n }, (_, i) => aSyncedEmployee(i + 1));

/** The same team, but the first `gone` employees are no longer returned by Lucca. */
function withMissing(n: number, gone: number, extra: Parameters<typeof aPlanInput>[0] = {}): Plan {
  const employees = team(n);
  return planRecords(aPlanInput({ ...withEmployees(employees), sources: employees.slice(gone).map((e) => e.source), ...extra }));
}

describe('planRecords: contract end and rehire', () => {
  it('a contract that ended → plan.lifecycle "deactivate", commit.status "inactive", contract end written too', () => {
    const e = aSyncedEmployee(12, { lucca: { dtContractEnd: ENDED } });
    const plan = planRecords(aPlanInput({ ...withEmployees([e]), confirmDeactivations: true }));
    const line = lineOf(plan, '12');
    expect(line).toMatchObject({ action: 'deactivated', also: ['updated'], targetId: 'hp_usr_12', outcome: 'planned' });
    expect(line.plan?.lifecycle).toBe('deactivate');
    expect(line.plan?.update).toEqual({ contract_end: '2025-05-31' });
    expect(line.plan?.commit).toMatchObject({ link: false, status: 'inactive', snapshot: { contractEnd: '2025-05-31' } });
  });

  it('a contract already ended and written, profile still active → deactivate only, no update', () => {
    const e = aSyncedEmployee(12, { lucca: { dtContractEnd: ENDED }, profile: { contract_end: '2025-05-31' }, base: { contractEnd: '2025-05-31' } });
    const line = lineOf(planRecords(aPlanInput({ ...withEmployees([e]), confirmDeactivations: true })), '12');
    expect(line).toMatchObject({ action: 'deactivated', also: [] });
    expect(line.plan?.update).toBeUndefined();
    expect(line.plan).toMatchObject({ lifecycle: 'deactivate', commit: { status: 'inactive' } });
  });

  it('a former employee whose profile is already inactive → no line', () => {
    const e = aSyncedEmployee(12, {
      lucca: { dtContractEnd: ENDED }, profile: { contract_end: '2025-05-31', status: 'inactive' }, base: { contractEnd: '2025-05-31' },
    });
    expect(planRecords(aPlanInput(withEmployees([e]))).lines).toEqual([]);
  });

  it('a rehire (new contract, end date cleared) of an inactive linked profile → "reactivate", status active', () => {
    const e = aSyncedEmployee(12, {
      lucca: { dtContractStart: '2025-06-01T00:00:00', dtContractEnd: null },
      profile: { status: 'inactive', contract_end: '2024-12-31' },
      base: { contractEnd: '2024-12-31' },
    });
    const line = lineOf(planRecords(aPlanInput(withEmployees([e]))), '12');
    expect(line).toMatchObject({ action: 'reactivated', also: ['updated'], targetId: 'hp_usr_12', outcome: 'planned' });
    expect(line.plan?.lifecycle).toBe('reactivate');
    expect(line.plan?.update).toEqual({ contract_start: '2025-06-01', contract_end: null });
    expect(line.plan?.commit).toMatchObject({ link: false, status: 'active' });
  });

  it('an inactive profile of a current employee with no field change → reactivate alone', () => {
    const e = aSyncedEmployee(12, { profile: { status: 'inactive' } });
    const line = lineOf(planRecords(aPlanInput(withEmployees([e]))), '12');
    expect(line).toMatchObject({ action: 'reactivated', also: [] });
    expect(line.plan).toMatchObject({ lifecycle: 'reactivate', commit: { status: 'active' } });
    expect(line.plan?.update).toBeUndefined();
  });

  it('a field update for a former employee whose profile is already inactive: no lifecycle, status stays inactive', () => {
    const e = aSyncedEmployee(12, { lucca: { firstName: 'Alicia', dtContractEnd: ENDED }, profile: { status: 'inactive' } });
    const line = lineOf(planRecords(aPlanInput(withEmployees([e]))), '12');
    expect(line.plan?.lifecycle).toBeUndefined();
    expect(line.plan?.commit.status).toBe('inactive');
  });
});

describe('planRecords: linked employees no longer returned by Lucca', () => {
  it('→ a "deactivated" line with reason not_returned_by_lucca, planned deactivate, status inactive', () => {
    const plan = withMissing(20, 1);
    expect(plan.blockedReason).toBeNull();
    expect(plan.lines).toHaveLength(1);
    const line = lineOf(plan, '1');
    expect(line).toMatchObject({ action: 'deactivated', targetId: 'hp_usr_1', outcome: 'planned', changes: [] });
    expect(line.reasons).toEqual([expect.objectContaining({ code: 'not_returned_by_lucca' })]);
    expect(line.plan?.lifecycle).toBe('deactivate');
    expect(line.plan?.update).toBeUndefined();
    expect(line.plan?.commit).toMatchObject({ link: false, status: 'inactive' });
  });

  it('already inactive on HappyPal → nothing', () => {
    const gone = aSyncedEmployee(1, { profile: { status: 'inactive' } });
    const plan = planRecords(aPlanInput({ ...withEmployees([gone]), sources: [] }));
    expect(plan).toMatchObject({ lines: [], quarantined: [], blockedReason: null, notice: null });
  });

  it('its linked profile is missing on HappyPal too → nothing to deactivate', () => {
    const gone = aSyncedEmployee(1);
    const plan = planRecords(aPlanInput({ ...withEmployees([gone]), sources: [], targets: [] }));
    expect(plan.lines).toEqual([]);
  });
});

describe('planRecords: deactivation guard', () => {
  it('above guardPct of links → blockedReason with the counts and --confirm-deactivations', () => {
    const plan = withMissing(10, 2);
    expect(plan.blockedReason).not.toBeNull();
    expect(plan.blockedReason).toContain('2 of 10');
    expect(plan.blockedReason).toContain('10 %');
    expect(plan.blockedReason).toContain('--confirm-deactivations');
    // The plan is still complete, so the report can show what would have happened.
    expect(plan.lines.map((l) => l.action)).toEqual(['deactivated', 'deactivated']);
  });

  it('exactly at the threshold → allowed', () => {
    expect(withMissing(10, 1).blockedReason).toBeNull();
    expect(withMissing(20, 2).blockedReason).toBeNull();
  });

  it('the threshold is the configured guardPct', () => {
    expect(withMissing(10, 3, { guardPct: 30 }).blockedReason).toBeNull();
    expect(withMissing(10, 3, { guardPct: 25 }).blockedReason).toContain('3 of 10');
  });

  it('confirmDeactivations → allowed', () => {
    const plan = withMissing(10, 5, { confirmDeactivations: true });
    expect(plan.blockedReason).toBeNull();
    expect(plan.lines.filter((l) => l.plan?.lifecycle === 'deactivate')).toHaveLength(5);
  });

  it('contract-end deactivations count toward the guard too', () => {
    const employees = team(10).map((e, i) => (i < 2 ? aSyncedEmployee(i + 1, { lucca: { dtContractEnd: ENDED } }) : e));
    expect(planRecords(aPlanInput(withEmployees(employees))).blockedReason).toContain('2 of 10');
  });

  it('reactivations are not counted', () => {
    const employees = team(10).map((e, i) => (i < 5 ? aSyncedEmployee(i + 1, { profile: { status: 'inactive' } }) : e));
    expect(planRecords(aPlanInput(withEmployees(employees))).blockedReason).toBeNull();
  });

  it('quarantined-but-returned employees are NOT counted as missing (and not deactivated)', () => {
    const employees = team(10);
    const sources = employees.map((e, i) =>
      i < 3 ? aRawSource(e.source.sourceId, { ...e.user, mail: 'broken' }) : e.source);
    const plan = planRecords(aPlanInput({ ...withEmployees(employees), sources }));
    expect(plan.blockedReason).toBeNull();
    expect(plan.quarantined.map((q) => q.sourceId)).toEqual(['1', '2', '3']);
    expect(plan.lines.map((l) => [l.sourceId, l.action])).toEqual([['1', 'quarantined'], ['2', 'quarantined'], ['3', 'quarantined']]);
    expect(plan.lines.some((l) => l.plan?.lifecycle === 'deactivate')).toBe(false);
  });

  it('a malformed record (not even an object) still counts as returned for its source id', () => {
    const employees = team(10);
    const sources = employees.map((e, i) => (i < 2 ? aRawSource(e.source.sourceId, 'garbage') : e.source));
    const plan = planRecords(aPlanInput({ ...withEmployees(employees), sources }));
    expect(plan.blockedReason).toBeNull();
    expect(plan.lines.every((l) => l.action === 'quarantined')).toBe(true);
  });

  it('no links at all → never blocked', () => {
    expect(planRecords(aPlanInput({ guardPct: 0 })).blockedReason).toBeNull();
  });
});
