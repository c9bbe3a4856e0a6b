/**
 * planRecords with a scope and extra field mappings (issue 20): out-of-scope people are never written,
 * one who leaves the scope is deactivated under the guard, mapped attributes follow the three-way
 * rule, a value the key cannot see is never written, a misfit quarantines the record.
 */
import { describe, expect, it } from 'vitest';
import { planRecords, type Plan, type PlannedLine } from '../../activities/targets/happypal/plan-records.js';
import { FieldMappingSchema } from '../../rules/field-mapping.js';
import { resolveScope } from '../../rules/scope.js';
import { aLuccaUser, aPlanInput, aSource, aSyncedEmployee, withEmployees } from './support/builders.js';

const catalog = {
  legalEntities: [{ id: 1, name: 'Acme SAS' }, { id: 2, name: 'Acme Services SARL' }],
  establishments: [{ id: 1, name: 'Acme SAS – siège', legalEntityId: 1 }, { id: 2, name: 'Acme Services SARL – siège', legalEntityId: 2 }],
  departments: [{ id: 100, name: 'Ventes' }, { id: 101, name: 'Support' }],
};
const notServices = resolveScope({ exclude: { legalEntities: ['Acme Services SARL'] } }, catalog);
const onlySales = resolveScope({ include: { departments: ['Ventes'] } }, catalog);
const college = FieldMappingSchema.parse({
  source: 'extendedData.e_cse_college', target: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'],
  transforms: [{ kind: 'trim' }, { kind: 'lower-case' }],
});
const badge = FieldMappingSchema.parse({ source: 'extendedData.e_badge_date', target: 'badge_date', type: 'date', transforms: [{ kind: 'date-only' }] });

const lineOf = (plan: Plan, sourceId: string) => plan.lines.find((l) => l.sourceId === sourceId) as PlannedLine | undefined;
const org = (legalEntityId: number, departmentId = 100) => ({ legalEntityId, departmentId });
const ext = (values: Record<string, unknown>) => ({ extendedData: Object.fromEntries(Object.entries(values).map(([k, v], i) => [k, { id: i + 1, value: v }])) });

describe('scope', () => {
  it('an employee of an excluded legal entity is never created (no line, no claim); the others are', () => {
    const inside = aLuccaUser({ id: 1, mail: 'a@acme.example', ...org(1) } as never);
    const outside = aLuccaUser({ id: 2, mail: 'b@acme.example', ...org(2) } as never);
    const plan = planRecords(aPlanInput({ sources: [aSource(inside), aSource(outside)], scope: notServices }));
    expect(lineOf(plan, '1')).toMatchObject({ action: 'created' });
    expect(lineOf(plan, '2')).toBeUndefined();
    expect(plan.notice).toContain('1 employee(s) outside the connection\'s scope were not synced');
  });

  it('a linked employee who leaves the scope is deactivated, with the reason, under the deactivation guard', () => {
    const team = Array.from({ length: 4 }, (_, i) => aSyncedEmployee(i + 1, { lucca: org(1) as never }));
    team[0] = aSyncedEmployee(1, { lucca: org(2) as never });
    const blocked = planRecords(aPlanInput({ ...withEmployees(team), scope: notServices }));
    expect(blocked.blockedReason).toMatch(/Deactivation guard: 1 of 4 linked profiles/);
    const plan = planRecords(aPlanInput({ ...withEmployees(team), scope: notServices, confirmDeactivations: true }));
    const line = lineOf(plan, '1');
    expect(line).toMatchObject({ action: 'deactivated', outcome: 'planned', reasons: [{ code: 'out_of_scope', message: expect.stringContaining('excluded by the scope (legal entity)') }] });
    expect(line?.plan).toMatchObject({ lifecycle: 'deactivate', commit: { status: 'inactive' } });
    expect(line?.plan?.update).toBeUndefined();
  });

  it('an employee whose department the key cannot see is neither written nor deactivated', () => {
    const e = aSyncedEmployee(1, { lucca: { legalEntityId: 1 } as never });
    const plan = planRecords(aPlanInput({ ...withEmployees([e]), scope: onlySales }));
    expect(lineOf(plan, '1')).toMatchObject({ outcome: 'reported', plan: null, reasons: [{ code: 'scope_not_visible' }] });
    expect(plan.notice).toContain('not visible to the Lucca key');
  });
});

describe('extra field mappings', () => {
  it('a create carries the mapped attributes (typed, transformed) and snapshots them', () => {
    const u = aLuccaUser({ id: 5, ...ext({ e_cse_college: ' Cadres ', e_badge_date: '2021-09-01T00:00:00' }) } as never);
    const line = lineOf(planRecords(aPlanInput({ sources: [aSource(u)], mappings: [college, badge] })), '5');
    expect(line?.plan?.create?.custom_attributes).toEqual({ cse_college: 'cadres', badge_date: '2021-09-01' });
    expect(line?.plan?.commit.snapshot).toMatchObject({ 'attr.cse_college': 'cadres', 'attr.badge_date': '2021-09-01' });
    expect(line?.changes).toEqual(expect.arrayContaining([{ field: 'attr.cse_college', before: null, after: 'cadres' }]));
  });

  it('Lucca changed a mapped value: written, reported before → after', () => {
    const e = aSyncedEmployee(5, { lucca: ext({ e_cse_college: 'Non-cadres' }) as never, profile: { custom_attributes: { cse_college: 'cadres' } } });
    e.snapshot.fields['attr.cse_college'] = 'cadres';
    const line = lineOf(planRecords(aPlanInput({ ...withEmployees([e]), mappings: [college] })), '5');
    expect(line).toMatchObject({ action: 'updated', changes: [{ field: 'attr.cse_college', before: 'cadres', after: 'non-cadres', source: 'non-cadres', base: 'cadres' }] });
    expect(line?.plan?.update).toEqual({ custom_attributes: { cse_college: 'non-cadres' } });
  });

  it.each([
    ['lucca-wins', 'overwrote_manual_edit', { custom_attributes: { cse_college: 'cadres' } }],
    ['target-wins', 'kept_manual_edit', undefined],
    ['review', 'conflict', undefined],
  ] as const)('a hand edit on HappyPal under %s → %s', (policy, action, update) => {
    const e = aSyncedEmployee(5, { lucca: ext({ e_cse_college: 'Cadres' }) as never, profile: { custom_attributes: { cse_college: 'non-cadres' } } });
    e.snapshot.fields['attr.cse_college'] = 'cadres';
    const line = lineOf(planRecords(aPlanInput({ ...withEmployees([e]), mappings: [{ ...college, policy }] })), '5');
    expect(line?.action).toBe(action);
    expect(line?.plan?.update).toEqual(update);
    if (policy === 'review') expect(line?.plan?.commit.openConflicts).toEqual([{ field: 'attr.cse_college', base: 'cadres', source: 'cadres', target: 'non-cadres' }]);
  });

  it('a conflict resolved "keep HappyPal" (base = Lucca, HappyPal value kept) stays quiet while neither side moves', () => {
    const e = aSyncedEmployee(5, { lucca: ext({ e_cse_college: 'Cadres' }) as never, profile: { custom_attributes: { cse_college: 'non-cadres' } } });
    e.snapshot.fields['attr.cse_college'] = 'cadres';
    e.snapshot.kept['attr.cse_college'] = 'non-cadres';
    const plan = planRecords(aPlanInput({ ...withEmployees([e]), mappings: [{ ...college, policy: 'review' }] }));
    expect(lineOf(plan, '5')).toBeUndefined();
  });

  it('a mapped field the key cannot see (section not granted) is never written, not even as empty', () => {
    const e = aSyncedEmployee(5, { lucca: { extendedData: {} } as never, profile: { custom_attributes: { cse_college: 'cadres' } } });
    e.snapshot.fields['attr.cse_college'] = 'cadres';
    const plan = planRecords(aPlanInput({ ...withEmployees([e]), mappings: [college] }));
    // Nothing changes, so no line at all: the run's notice says what could not be seen, and why.
    expect(lineOf(plan, '5')).toBeUndefined();
    expect(plan.notice).toContain('"Consult HR files" › select the relevant section (the one holding e_cse_college)');
    const created = lineOf(planRecords(aPlanInput({ sources: [aSource(aLuccaUser({ id: 6 }))], mappings: [college] })), '6');
    expect(created?.plan?.create?.custom_attributes).toBeUndefined();
    expect(created?.plan?.commit.snapshot).not.toHaveProperty('attr.cse_college');
  });

  it.each(['lucca-wins', 'target-wins', 'review'] as const)(
    'a mapped field served null for everyone read while we had synced values is hidden for the run (%s): not written, base kept, no conflict',
    (policy) => {
      const team = [5, 6, 7].map((id) => {
        const e = aSyncedEmployee(id, { lucca: ext({ e_cse_college: null }) as never, profile: { custom_attributes: { cse_college: 'cadres' } } });
        e.snapshot.fields['attr.cse_college'] = 'cadres';
        return e;
      });
      const plan = planRecords(aPlanInput({ ...withEmployees(team), mappings: [{ ...college, policy }] }));
      expect(plan.lines.filter((l) => l.plan?.update?.custom_attributes !== undefined)).toEqual([]);
      expect(plan.lines.flatMap((l) => l.plan?.commit.openConflicts ?? [])).toEqual([]);
      for (const line of plan.lines) expect(line.plan?.commit.snapshot?.['attr.cse_college']).toBe('cadres');
      expect(plan.notice).toContain('custom attribute cse_college (extendedData.e_cse_college) was not visible to the Lucca key for 3 employee(s); ' +
        'nothing was written for it and HappyPal keeps its value (null for everyone read, while we had synced values)');
    },
  );

  it('one person cleared in Lucca (others keep a value) is a real clear: written as empty', () => {
    const cleared = aSyncedEmployee(5, { lucca: ext({ e_cse_college: null }) as never, profile: { custom_attributes: { cse_college: 'cadres' } } });
    const other = aSyncedEmployee(6, { lucca: ext({ e_cse_college: 'Cadres' }) as never, profile: { custom_attributes: { cse_college: 'cadres' } } });
    for (const e of [cleared, other]) e.snapshot.fields['attr.cse_college'] = 'cadres';
    const plan = planRecords(aPlanInput({ ...withEmployees([cleared, other]), mappings: [college] }));
    expect(lineOf(plan, '5')).toMatchObject({ action: 'updated', changes: [{ field: 'attr.cse_college', before: 'cadres', after: null }] });
    expect(lineOf(plan, '5')?.plan?.update).toEqual({ custom_attributes: { cse_college: null } });
    expect(plan.notice ?? '').not.toContain('cse_college');
  });

  it('a value that does not fit (text where a date is expected) quarantines the record, PII-free', () => {
    const u = aLuccaUser({ id: 7, ...ext({ e_badge_date: 'demain matin' }) } as never);
    const plan = planRecords(aPlanInput({ sources: [aSource(u)], mappings: [badge] }));
    expect(lineOf(plan, '7')).toMatchObject({ action: 'quarantined', plan: null });
    expect(plan.quarantined).toEqual([{ sourceId: '7', reasons: [{ code: 'mapped_value_misfit', field: 'attr.badge_date', message: expect.stringContaining('date-only') }] }]);
    expect(JSON.stringify(plan.quarantined)).not.toContain('demain');
  });
});
