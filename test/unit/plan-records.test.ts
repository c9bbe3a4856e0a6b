/**
 * planRecords: matching, create / attach / linked composition, ambiguity, missing profiles, order.
 * Policies and kept values: plan-records-conflicts.test.ts; lifecycle and the guard:
 * plan-records-lifecycle.test.ts; bad records: plan-records-quarantine.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { HappyPalCreateUserInputSchema, HappyPalUpdateUserInputSchema } from '../../activities/targets/happypal/schemas.js';
import { planRecords, type Plan, type PlannedLine } from '../../activities/targets/happypal/plan-records.js';
import { PlannedWriteSchema } from '../../activities/targets/happypal/plan-model.js';
import {
  aHappyPalUser, aLuccaUser, aPlanInput, aSource, aSyncedEmployee, personOf, profileFor, withEmployees,
} from './support/builders.js';

function lineOf(plan: Plan, sourceId: string): PlannedLine {
  const found = plan.lines.filter((l) => l.sourceId === sourceId);
  expect(found, `exactly one line for source ${sourceId}`).toHaveLength(1);
  return found[0] as PlannedLine;
}

/** Every planned write is a valid PlannedWrite and its HTTP payloads are valid HappyPal inputs. */
function expectWellFormed(plan: Plan): void {
  for (const line of plan.lines) {
    if (line.plan === null) {
      expect(line.outcome).toBe('reported');
      continue;
    }
    expect(line.outcome).toBe('planned');
    expect(() => PlannedWriteSchema.parse(line.plan)).not.toThrow();
    if (line.plan.create) expect(() => HappyPalCreateUserInputSchema.parse(line.plan?.create)).not.toThrow();
    if (line.plan.update) expect(() => HappyPalUpdateUserInputSchema.parse(line.plan?.update)).not.toThrow();
  }
}

describe('planRecords: create', () => {
  it('creates a new current employee with HappyPal field names, external_id = Lucca id, a link and the person as snapshot', () => {
    const user = aLuccaUser({ id: 12, dtContractEnd: '2026-12-31T00:00:00' });
    const plan = planRecords(aPlanInput({ sources: [aSource(user)] }));
    expectWellFormed(plan);
    expect(plan.blockedReason).toBeNull();
    expect(plan.quarantined).toEqual([]);
    const line = lineOf(plan, '12');
    expect(line).toMatchObject({ action: 'created', also: [], targetId: null, outcome: 'planned', error: null, reasons: [] });
    expect(line.plan?.create).toEqual({
      first_name: 'Alice',
      last_name: 'Martin',
      email: 'employee.12@acme.example',
      birth_date: '1990-01-02',
      contract_start: '2020-01-01',
      contract_end: '2026-12-31',
      external_id: '12',
    });
    expect(line.plan?.update).toBeUndefined();
    expect(line.plan?.lifecycle).toBeUndefined();
    expect(line.plan?.commit).toEqual({
      link: true,
      snapshot: personOf(user),
      kept: {},
      status: 'active',
      openConflicts: [],
      closeConflicts: [],
    });
  });

  it('a created line lists every non-null field as null → value', () => {
    const user = aLuccaUser({ id: 12 }); // no contract end
    const line = lineOf(planRecords(aPlanInput({ sources: [aSource(user)] })), '12');
    expect(line.changes).toEqual([
      { field: 'firstName', before: null, after: 'Alice' },
      { field: 'lastName', before: null, after: 'Martin' },
      { field: 'email', before: null, after: 'employee.12@acme.example' },
      { field: 'birthDate', before: null, after: '1990-01-02' },
      { field: 'contractStart', before: null, after: '2020-01-01' },
    ]);
  });

  it('the create payload and snapshot carry normalised values (email lower-cased and trimmed, names trimmed)', () => {
    const user = aLuccaUser({ id: 3, firstName: '  Zoé  ', lastName: 'De  la Tour ', mail: ' Zoe.DeLaTour@Acme.Example ' });
    const line = lineOf(planRecords(aPlanInput({ sources: [aSource(user)] })), '3');
    expect(line.plan?.create).toMatchObject({ first_name: 'Zoé', last_name: 'De la Tour', email: 'zoe.delatour@acme.example' });
    expect(line.plan?.commit.snapshot).toMatchObject({ firstName: 'Zoé', lastName: 'De la Tour', email: 'zoe.delatour@acme.example' });
  });

  it('a former employee (contract ended before today) without a profile gets no line at all', () => {
    const former = aLuccaUser({ id: 5, dtContractEnd: '2025-06-14T00:00:00' });
    const plan = planRecords(aPlanInput({ sources: [aSource(former)] }));
    expect(plan).toMatchObject({ lines: [], quarantined: [], blockedReason: null, notice: null });
  });

  it('an employee whose contract ends today is still created (the end day is a working day)', () => {
    const lastDay = aLuccaUser({ id: 5, dtContractEnd: '2025-06-15T00:00:00' });
    const line = lineOf(planRecords(aPlanInput({ sources: [aSource(lastDay)] })), '5');
    expect(line.action).toBe('created');
    expect(line.plan?.commit.status).toBe('active');
  });

  it('a future starter is created, active', () => {
    const starter = aLuccaUser({ id: 6, dtContractStart: '2025-09-01T00:00:00' });
    const line = lineOf(planRecords(aPlanInput({ sources: [aSource(starter)] })), '6');
    expect(line.action).toBe('created');
    expect(line.plan?.create).toMatchObject({ contract_start: '2025-09-01', external_id: '6' });
    expect(line.plan?.commit.status).toBe('active');
  });
});

describe('planRecords: attach by email', () => {
  it('attaches to a profile whose email differs only in case and whitespace, updating only the differing fields', () => {
    const user = aLuccaUser({ id: 12, mail: '  Employee.12@ACME.example ', lastName: 'Martin-Durand' });
    const profile = aHappyPalUser({
      id: 'hp_usr_40', email: 'EMPLOYEE.12@acme.EXAMPLE', last_name: 'Martin', birth_date: null,
    });
    const plan = planRecords(aPlanInput({ sources: [aSource(user)], targets: [profile] }));
    expectWellFormed(plan);
    const line = lineOf(plan, '12');
    expect(line).toMatchObject({ action: 'attached', also: ['updated'], targetId: 'hp_usr_40', outcome: 'planned' });
    expect(line.plan?.create).toBeUndefined();
    expect(line.plan?.update).toEqual({ last_name: 'Martin-Durand', birth_date: '1990-01-02' });
    expect(line.plan?.commit).toMatchObject({ link: true, snapshot: personOf(user), status: 'active', openConflicts: [], closeConflicts: [] });
    expect(line.changes).toEqual([
      { field: 'lastName', before: 'Martin', after: 'Martin-Durand', source: 'Martin-Durand' },
      { field: 'birthDate', before: null, after: '1990-01-02', source: '1990-01-02' },
    ]);
  });

  it('attaches without an update when every field already agrees: still a line, to store the link and snapshot', () => {
    const user = aLuccaUser({ id: 12 });
    const profile = profileFor(user, { id: 'hp_usr_7', external_id: null });
    const line = lineOf(planRecords(aPlanInput({ sources: [aSource(user)], targets: [profile] })), '12');
    expect(line).toMatchObject({ action: 'attached', also: [], targetId: 'hp_usr_7', outcome: 'planned' });
    expect(line.plan?.update).toBeUndefined();
    expect(line.plan?.commit).toMatchObject({ link: true, snapshot: personOf(user) });
  });

  it('attaching an inactive profile of a current employee reactivates it', () => {
    const user = aLuccaUser({ id: 12 });
    const profile = profileFor(user, { status: 'inactive' });
    const line = lineOf(planRecords(aPlanInput({ sources: [aSource(user)], targets: [profile] })), '12');
    expect(line).toMatchObject({ action: 'attached', also: ['reactivated'] });
    expect(line.plan).toMatchObject({ lifecycle: 'reactivate', commit: { link: true, status: 'active' } });
  });
});

describe('planRecords: linked profiles', () => {
  it('linked, unchanged, snapshot equal → no line', () => {
    const plan = planRecords(aPlanInput(withEmployees([aSyncedEmployee(12), aSyncedEmployee(13)])));
    expect(plan).toMatchObject({ lines: [], quarantined: [], blockedReason: null, notice: null });
  });

  it('linked, equal up to normalisation (email case, name spacing) → still no line', () => {
    const e = aSyncedEmployee(12, { profile: { email: 'EMPLOYEE.12@Acme.Example', first_name: ' Alice ' } });
    expect(planRecords(aPlanInput(withEmployees([e]))).lines).toEqual([]);
  });

  it('linked, converged (target = source ≠ base) → an "unchanged" line that only moves the snapshot', () => {
    const e = aSyncedEmployee(12, { lucca: { lastName: 'Durand' }, profile: { last_name: 'Durand' } });
    const plan = planRecords(aPlanInput(withEmployees([e])));
    expectWellFormed(plan);
    const line = lineOf(plan, '12');
    expect(line).toMatchObject({ action: 'unchanged', also: [], changes: [], targetId: 'hp_usr_12', outcome: 'planned' });
    expect(line.plan?.update).toBeUndefined();
    expect(line.plan?.lifecycle).toBeUndefined();
    expect(line.plan?.commit).toEqual({
      link: false,
      snapshot: { ...personOf(e.user), lastName: 'Durand' },
      kept: {},
      status: 'active',
      openConflicts: [],
      closeConflicts: [],
    });
  });

  it('linked, Lucca changed a field → "updated" with only that field in HappyPal names, and the new base', () => {
    const e = aSyncedEmployee(12, { lucca: { dtContractEnd: '2026-03-31T00:00:00' } });
    const plan = planRecords(aPlanInput(withEmployees([e])));
    expectWellFormed(plan);
    const line = lineOf(plan, '12');
    expect(line).toMatchObject({ action: 'updated', also: [], outcome: 'planned' });
    expect(line.plan?.update).toEqual({ contract_end: '2026-03-31' });
    expect(line.plan?.commit).toMatchObject({ link: false, snapshot: personOf(e.user), status: 'active' });
    expect(line.changes).toEqual([{ field: 'contractEnd', before: null, after: '2026-03-31', source: '2026-03-31', base: null }]);
  });

  it('linked without a snapshot yet (first sync of a link): Lucca is the reference, differing fields are written', () => {
    const e = aSyncedEmployee(12, { profile: { first_name: 'Alicia' } });
    const plan = planRecords(aPlanInput({ ...withEmployees([e]), snapshots: [] }));
    const line = lineOf(plan, '12');
    expect(line).toMatchObject({ action: 'updated', outcome: 'planned' });
    expect(line.plan?.update).toEqual({ first_name: 'Alice' });
    expect(line.plan?.commit).toMatchObject({ link: false, snapshot: personOf(e.user) });
  });

  it('a link wins over the email: a changed address is written to the linked profile, not attached elsewhere', () => {
    const e = aSyncedEmployee(12, { lucca: { mail: 'alice.new@acme.example' } });
    const other = aHappyPalUser({ id: 'hp_usr_99', email: 'alice.new@acme.example' });
    const plan = planRecords(aPlanInput({ ...withEmployees([e]), targets: [e.target, other] }));
    const line = lineOf(plan, '12');
    expect(line).toMatchObject({ action: 'updated', targetId: 'hp_usr_12' });
    expect(line.plan?.update).toEqual({ email: 'alice.new@acme.example' });
  });

  it('a linked profile missing on HappyPal → an "error" line, reported, with no plan', () => {
    const e = aSyncedEmployee(12);
    const plan = planRecords(aPlanInput({ ...withEmployees([e]), targets: [] }));
    const line = lineOf(plan, '12');
    expect(line).toMatchObject({ action: 'error', targetId: 'hp_usr_12', plan: null, outcome: 'reported' });
    expect(line.error).toMatch(/no longer exists/);
    expect(plan.blockedReason).toBeNull();
  });
});

describe('planRecords: ambiguous matches are reported, never written', () => {
  it('two HappyPal profiles with the employee\'s email → "ambiguous", reported, no plan', () => {
    const user = aLuccaUser({ id: 12 });
    const targets = [
      aHappyPalUser({ id: 'hp_usr_1', email: 'employee.12@acme.example' }),
      aHappyPalUser({ id: 'hp_usr_2', email: 'Employee.12@Acme.Example' }),
    ];
    const plan = planRecords(aPlanInput({ sources: [aSource(user)], targets }));
    expectWellFormed(plan);
    const line = lineOf(plan, '12');
    expect(line).toMatchObject({ action: 'ambiguous', plan: null, outcome: 'reported', targetId: null });
    expect(plan.lines.every((l) => l.plan === null)).toBe(true);
  });

  it('two employees claiming one profile → both "ambiguous", reported, no plan; others still planned', () => {
    const a = aLuccaUser({ id: 12, mail: 'shared@acme.example' });
    const b = aLuccaUser({ id: 13, mail: ' SHARED@acme.example' });
    const c = aLuccaUser({ id: 14 });
    const target = aHappyPalUser({ id: 'hp_usr_5', email: 'shared@acme.example' });
    const plan = planRecords(aPlanInput({ sources: [a, b, c].map(aSource), targets: [target] }));
    expectWellFormed(plan);
    for (const id of ['12', '13']) expect(lineOf(plan, id)).toMatchObject({ action: 'ambiguous', plan: null, outcome: 'reported' });
    expect(lineOf(plan, '14')).toMatchObject({ action: 'created', outcome: 'planned' });
  });

  it('two new employees with one email and no profile → both ambiguous, nothing created twice', () => {
    const a = aLuccaUser({ id: 12, mail: 'dup@acme.example' });
    const b = aLuccaUser({ id: 13, mail: 'dup@acme.example' });
    const plan = planRecords(aPlanInput({ sources: [a, b].map(aSource) }));
    expect(plan.lines.map((l) => [l.sourceId, l.action, l.plan])).toEqual([['12', 'ambiguous', null], ['13', 'ambiguous', null]]);
  });

  it('a profile already linked to another employee is not attached to a newcomer with the same email', () => {
    const old = aSyncedEmployee(12, { lucca: { dtContractEnd: '2024-12-31T00:00:00' }, profile: { status: 'inactive', contract_end: '2024-12-31' }, base: { contractEnd: '2024-12-31' } });
    const rehire = aLuccaUser({ id: 99, mail: old.target.email });
    const plan = planRecords(aPlanInput({ ...withEmployees([old]), sources: [old.source, aSource(rehire)] }));
    expect(lineOf(plan, '99')).toMatchObject({ action: 'ambiguous', plan: null, outcome: 'reported' });
    expect(plan.lines.filter((l) => l.plan !== null)).toEqual([]);
  });
});

describe('planRecords: output order', () => {
  it('lines come out sorted by numeric Lucca id, whatever their kind', () => {
    const changed = aSyncedEmployee(100, { lucca: { firstName: 'Alicia' } });
    const missing = aSyncedEmployee(9);
    const plan = planRecords(aPlanInput({
      sources: [
        changed.source,
        aSource(aLuccaUser({ id: 10 })),
        { sourceId: '2', data: { ...aLuccaUser({ id: 2 }), mail: 'not an email' } },
        aSource(aLuccaUser({ id: 21 })),
        aSource(aLuccaUser({ id: 3 })),
      ],
      targets: [changed.target, missing.target],
      links: [changed.link, missing.link],
      snapshots: [changed.snapshot, missing.snapshot],
      confirmDeactivations: true,
    }));
    expect(plan.lines.map((l) => l.sourceId)).toEqual(['2', '3', '9', '10', '21', '100']);
    expect(plan.lines.map((l) => l.action)).toEqual(['quarantined', 'created', 'deactivated', 'created', 'created', 'updated']);
  });

  it('is a pure function: the same input gives the same plan, and the input is not mutated', () => {
    const e = aSyncedEmployee(12, { lucca: { lastName: 'Durand' }, profile: { first_name: 'Ally' } });
    const input = aPlanInput({ ...withEmployees([e, aSyncedEmployee(13)]), sources: [e.source, aSource(aLuccaUser({ id: 40 }))] });
    const frozen = structuredClone(input);
    const first = planRecords(input);
    expect(planRecords(input)).toEqual(first);
    expect(input).toEqual(frozen);
  });
});
