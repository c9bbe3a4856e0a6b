/** A connection's scope on Reflect's datasets (issue 20): table tests of reflect/scope.ts, and its use by the read plan, mapDataset and the diff. */
import { describe, expect, it } from 'vitest';
import { mapDataset } from '../../activities/targets/reflect/datasets.js';
import { diffDataset } from '../../activities/targets/reflect/diff.js';
import type { Fields } from '../../activities/targets/reflect/model.js';
import { decideReadPlan } from '../../activities/targets/reflect/read-plan.js';
import { STAGED } from '../../activities/targets/reflect/readers.js';
import { endedRecord, ownerVerdict, scopeNote, verdictsOf } from '../../activities/targets/reflect/scope.js';
import type { ReflectDataset } from '../../activities/targets/reflect/schemas.js';
import type { FieldMapping } from '../../rules/field-mapping.js';
import type { ResolvedScope } from '../../rules/scope.js';

const TODAY = '2025-09-02';
const NOW = new Date('2025-09-02T06:00:00Z');
const none = { legalEntities: [], establishments: [], departments: [] };
/** Excludes legal entity 2 (establishment 20); people of establishment 10 are in. */
const SCOPE: ResolvedScope = {
  input: { exclude: { legalEntities: [2] } },
  include: none,
  exclude: { ...none, legalEntities: [{ id: 2, name: 'Acme Services SARL', establishmentIds: [20] }] },
};

const staged = (rows: unknown[]) => rows.map((data, i) => ({ sourceId: String((data as { id?: unknown }).id ?? `x${i}`), data }));
const user = (id: number, legalEntityId: number | null, extra: Record<string, unknown> = {}) => ({
  id, firstName: 'Anne', lastName: `Martin${id}`, mail: `anne${id}@acme.fr`, birthDate: '1990-04-02', dtContractStart: '2020-01-01',
  dtContractEnd: null, legalEntityId, departmentId: 100, ...extra,
});
const plan = (dataset: ReflectDataset, scoped = true, full = true) =>
  decideReadPlan({ dataset, now: NOW, today: TODAY, cursor: full ? undefined : { lastSince: NOW, lastFullReadAt: NOW }, fullReadDays: 7, scoped });

describe('endedRecord: the employees record of someone who left the scope', () => {
  const snapshot: Fields = { external_id: '7', first_name: 'Anne', last_name: 'Martin', contract_start: '2020-01-01', contract_end: null, 'attr.meal_allowance': '6', 'attr.team': '12' };
  const mappings: FieldMapping[] = [{ source: 'extendedData.e_prime_panier', target: 'meal_allowance', type: 'number', transforms: [] }] as FieldMapping[];
  it.each([
    ['an open contract ends today', { contract_end: null }, TODAY],
    ['an end still ahead is brought to today', { contract_end: '2026-12-31' }, TODAY],
    ['an end today is already an end: nothing to write', { contract_end: TODAY }, null],
    ['an end already past: nothing to write', { contract_end: '2024-06-30' }, null],
    ['a contract that starts later ends on its start (Reflect refuses an end before the start)', { contract_start: '2025-10-01', contract_end: null }, '2025-10-01'],
    ['a future contract already ending on its start: nothing to write', { contract_start: '2025-10-01', contract_end: '2025-10-01' }, null],
  ] as const)('%s', (_case, patch, end) => {
    const record = endedRecord({ ...snapshot, ...patch }, TODAY, mappings);
    if (end === null) expect(record).toBeNull();
    else expect(record).toMatchObject({ external_id: '7', first_name: 'Anne', contract_end: end });
  });

  it('sends back what we last wrote, number attributes as numbers, the others as text', () => {
    expect(endedRecord(snapshot, TODAY, mappings)).toEqual({ ...snapshot, contract_end: TODAY, 'attr.meal_allowance': 6, 'attr.team': '12' });
  });
});

describe('verdicts and owners', () => {
  const verdicts = verdictsOf(SCOPE, staged([user(1, 10), user(2, 20), user(3, null), { legalEntityId: 10 }]));
  it.each([
    ['in the scope', '1', true],
    ['excluded', '2', false],
    ['org not visible to the key', '3', 'unknown'],
    ['not returned by the org read: cannot be placed', '99', 'unknown'],
  ] as const)('%s', (_case, owner, verdict) => {
    expect(ownerVerdict(verdicts, owner)?.in).toBe(verdict);
  });
  it('a record naming no owner is left to the mapping (which quarantines it)', () => {
    expect(ownerVerdict(verdicts, null)).toBeNull();
    expect(verdicts.size).toBe(3); // the row without an id is left out
  });
  it('the note counts, per dataset, without names', () => {
    expect(scopeNote('expenses', { outside: 2, notVisible: 0 })).toBe('2 expense report(s) of people outside the connection\'s scope were not synced.');
    expect(scopeNote('employees', { outside: 0, notVisible: 1 })).toMatch(/^1 employee\(s\) were not synced because the organisation data the scope uses .* "Consult users"/);
    expect(scopeNote('absences', { outside: 0, notVisible: 0 })).toBeNull();
  });
});

describe('read plan', () => {
  it.each(['compensation', 'absences', 'expenses'] as const)('%s reads every user\'s org ids when the connection has a scope', (dataset) => {
    expect(plan(dataset).parts.at(-1)).toEqual({ kind: 'org' });
    expect(plan(dataset).scoped).toBe(true);
    expect(plan(dataset, false).parts.some((p) => p.kind === 'org')).toBe(false);
    expect(plan(dataset, false).scoped).toBeUndefined();
  });
  it('employees read their org ids with the users themselves (no second read)', () => {
    expect(plan('employees').parts).toEqual([{ kind: 'users', since: null }]);
  });
});

describe('mapDataset with a scope', () => {
  it('employees: people out of the scope or whose org is hidden are not mapped; those out of it are leavers; a full read does not count them missing', () => {
    const rows = staged([user(1, 10), user(2, 20), user(3, null)]);
    const m = mapDataset('employees', new Map([[STAGED.users, rows]]), plan('employees'), TODAY, [], [], SCOPE);
    expect(m.mapped.map((r) => r.id)).toEqual(['1']);
    expect(m.leavers).toEqual(['2']);
    expect(m.scope).toEqual({ outside: 1, notVisible: 1 });
    expect([1, 2, 3, 4].map((id) => m.inScope?.(String(id), {}))).toEqual([true, false, false, true]); // 4: not returned, gone as before
  });

  it('employees: a plan read without a scope ignores it (the org ids were not read)', () => {
    const rows = staged([user(1, 10), user(2, 20)]);
    const m = mapDataset('employees', new Map([[STAGED.users, rows]]), plan('employees', false), TODAY, [], [], SCOPE);
    expect(m.mapped.map((r) => r.id)).toEqual(['1', '2']);
    expect(m.leavers).toEqual([]);
  });

  it('expenses: claims of people out of the scope, hidden, or not in the org read are not mapped; their snapshots lie outside the read', () => {
    const claim = (id: number, ownerId: number) => ({ id, name: 'Salon', ownerId, declaredOn: '2025-08-01', statusId: 3, currencyId: 'EUR' });
    const m = mapDataset('expenses', new Map([
      [STAGED['expense-claims'], staged([claim(501, 1), claim(502, 2), claim(503, 3), claim(504, 99), { id: 505, name: 'no owner', statusId: 3 }])],
      [STAGED.org, staged([user(1, 10), user(2, 20), user(3, null)])],
    ]), plan('expenses'), TODAY, [], [], SCOPE);
    expect(m.mapped.map((r) => [r.id, r.kind])).toEqual([['501', 'record'], ['505', 'invalid']]);
    expect(m.scope).toEqual({ outside: 1, notVisible: 2 });
    // A snapshot of someone out of the scope is not "missing" from a full read: it is kept as it is.
    expect(m.inScope?.('600', { employee_external_id: '2' })).toBe(false);
    expect(m.inScope?.('601', { employee_external_id: '1' })).toBe(true);
    // Someone the org read did not return is no reason to keep a record Lucca deleted.
    expect(m.inScope?.('602', { employee_external_id: '99' })).toBe(true);
  });

  it('absences: half-days of a person out of the scope are left out, counted once per leave', () => {
    const half = (id: string, ownerId: number, isAm: boolean) => ({
      id, date: '2025-09-10T00:00:00', isAm, leavePeriodId: ownerId * 10, leaveAccountId: 1, leaveAccount: { name: 'CP' }, leavePeriod: { ownerId }, isActive: true,
    });
    const m = mapDataset('absences', new Map([
      [STAGED.leaves, staged([half('a', 1, true), half('b', 1, false), half('c', 2, true), half('d', 2, false)])],
      [STAGED.org, staged([user(1, 10), user(2, 20)])],
    ]), plan('absences'), TODAY, [], [], SCOPE);
    expect(m.mapped.map((r) => r.kind === 'record' && r.record.employee_external_id)).toEqual(['1']);
    expect(m.scope).toEqual({ outside: 1, notVisible: 0 });
  });
});

describe('diffDataset: scope leavers', () => {
  const written = (n: number) => new Map(Array.from({ length: n }, (_, i) => [String(i + 1), { external_id: String(i + 1), contract_start: '2020-01-01', contract_end: null } as Fields]));
  const end = (s: Fields) => endedRecord(s, TODAY);
  it('a leaver we wrote is ended (deactivated, with the reason); one we never wrote or already ended writes nothing', () => {
    const snapshots = written(20);
    snapshots.set('30', { external_id: '30', contract_start: '2020-01-01', contract_end: '2024-01-31' });
    const diff = diffDataset({ mapped: [], snapshots, inScope: null, guardPct: 10, confirmDeletions: false, scopeLeavers: { ids: ['2', '30', '99'], end } });
    expect(diff.lines).toEqual([expect.objectContaining({
      sourceId: '2', action: 'deactivated', outcome: 'planned', changes: [{ field: 'contract_end', before: null, after: TODAY }],
      reasons: [expect.objectContaining({ code: 'out_of_scope' })], plan: { op: 'upsert', record: expect.objectContaining({ contract_end: TODAY }) },
    })]);
    expect(diff.heldReason).toBeNull();
  });

  it.each([
    ['within the guard (10 % of 30 = 3)', 3, false, 'deactivated'],
    ['beyond the guard: held, nothing written', 4, false, 'deactivation_held'],
    ['beyond the guard, confirmed', 4, true, 'deactivated'],
  ] as const)('%s', (_case, leavers, confirm, action) => {
    const ids = Array.from({ length: leavers }, (_, i) => String(i + 1));
    const diff = diffDataset({ mapped: [], snapshots: written(30), inScope: null, guardPct: 10, confirmDeletions: confirm, scopeLeavers: { ids, end } });
    expect(diff.lines.map((l) => l.action)).toEqual(ids.map(() => action));
    if (action === 'deactivation_held') {
      expect(diff.lines.every((l) => l.plan === null && l.outcome === 'skipped')).toBe(true);
      expect(diff.heldReason).toMatch(/4 employees left the connection's scope, more than the 10 % deactivation guard allows \(3\)/);
    } else expect(diff.heldReason).toBeNull();
  });
});
