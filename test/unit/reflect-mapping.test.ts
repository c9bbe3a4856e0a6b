import { describe, expect, it } from 'vitest';
import { diffDataset } from '../../activities/targets/reflect/diff.js';
import { FieldMappingSchema } from '../../rules/field-mapping.js';
import { currencyIndex, mapFixedItem, mapVariableItem } from '../../activities/targets/reflect/to-reflect-compensation.js';
import { mapEmployee } from '../../activities/targets/reflect/to-reflect-employee.js';
import { EXPENSE_STATUS, mapExpenseClaim } from '../../activities/targets/reflect/to-reflect-expense.js';
import { REFLECT_DATASETS, toFields, type Fields, type Mapped } from '../../activities/targets/reflect/model.js';
import { decideReadPlan } from '../../activities/targets/reflect/read-plan.js';
import { TARGETS } from '../../activities/targets/registry.js';
import { LEGACY_REFLECT_DATASETS } from '../../workflows/run-datasets.js';

const TODAY = '2025-09-01';

describe('mapEmployee (Lucca v3 user → Reflect employee)', () => {
  const user = {
    id: 12, firstName: '  Anne ', lastName: 'Martin', mail: ' Anne.Martin@Acme.FR ', birthDate: '1990-04-02T00:00:00',
    dtContractStart: '2020-01-06T00:00:00', dtContractEnd: null, department: { name: 'Finance' }, managerId: 3,
    employeeNumber: ' 00012 ', modifiedAt: '2025-08-01T10:00:00',
  };

  it('maps and normalises (the HappyPal connector\'s rules), with department, manager and employee number', () => {
    expect(mapEmployee(user, TODAY, 0)).toEqual({
      kind: 'record', id: '12', record: {
        external_id: '12', first_name: 'Anne', last_name: 'Martin', email: 'anne.martin@acme.fr', birth_date: '1990-04-02',
        contract_start: '2020-01-06', contract_end: null, department: 'Finance', manager_external_id: '3', employee_number: '00012',
      },
    });
  });

  it('one\'s own manager, no department and no number become null', () => {
    const mapped = mapEmployee({ ...user, managerId: 12, department: null, employeeNumber: '' }, TODAY, 0);
    expect(mapped).toMatchObject({ kind: 'record', record: { manager_external_id: null, department: null, employee_number: null } });
  });

  it.each([
    ['a bad email', { mail: 'anne@' }, 'invalid_email'],
    ['no last name', { lastName: null }, 'missing_last_name'],
    ['a birth date in the future', { birthDate: '2030-01-01T00:00:00' }, 'birth_date_in_future'],
    ['a contract that ends before it starts', { dtContractEnd: '2019-01-01T00:00:00' }, 'contract_end_before_start'],
  ])('quarantines %s, naming the rule but not the value', (_label, patch, code) => {
    const mapped = mapEmployee({ ...user, ...patch }, TODAY, 0);
    expect(mapped.kind).toBe('invalid');
    if (mapped.kind !== 'invalid') return;
    expect(mapped.id).toBe('12');
    expect(mapped.reasons.map((r) => r.code)).toContain(code);
    expect(JSON.stringify(mapped.reasons)).not.toContain('anne@');
  });

  it('a record that is not an object gets a positional id', () => {
    expect(mapEmployee('junk', TODAY, 4)).toMatchObject({ kind: 'invalid', id: 'malformed-at-4' });
  });
  it('a birth date the key cannot see: left out → unknown; null → a plain null unless the run hides it (visibility.ts)', () => {
    const { birthDate: _, ...omitted } = user;
    expect(mapEmployee(omitted, TODAY, 0)).toMatchObject({ kind: 'record', unknown: ['birth_date'] });
    expect(mapEmployee({ ...user, birthDate: null }, TODAY, 0)).not.toHaveProperty('unknown');
    expect(mapEmployee({ ...user, birthDate: null }, TODAY, 0, ['birthDate'])).toMatchObject({ kind: 'record', unknown: ['birth_date'] });
  });

  it('diffDataset carries what we last wrote for an unknown field: an upsert never sends it as null, and it is no change', () => {
    const { birthDate: _, ...omitted } = user;
    const written = mapEmployee(user, TODAY, 0);
    if (written.kind !== 'record') throw new Error('not a record');
    const snapshots = new Map([['12', toFields(written.record)]]);
    const same = diffDataset({ mapped: [mapEmployee(omitted, TODAY, 0)], snapshots, inScope: null, guardPct: 10, confirmDeletions: false });
    expect([same.lines, same.unchanged]).toEqual([[], 1]);
    const renamed = diffDataset({ mapped: [mapEmployee({ ...omitted, firstName: 'Anna' }, TODAY, 0)], snapshots, inScope: null, guardPct: 10, confirmDeletions: false });
    expect(renamed.lines[0]?.changes).toEqual([{ field: 'first_name', before: 'Anne', after: 'Anna' }]);
    expect(renamed.lines[0]?.plan).toMatchObject({ op: 'upsert', record: { first_name: 'Anna', birth_date: '1990-04-02' } });
    const fresh = diffDataset({ mapped: [mapEmployee(omitted, TODAY, 0)], snapshots: new Map(), inScope: null, guardPct: 10, confirmDeletions: false });
    expect(fresh.lines[0]?.plan).toMatchObject({ op: 'upsert', record: { birth_date: null } });
  });
});

describe('mapEmployee: mapped attributes the key cannot see (rules/mapped-visibility.ts)', () => {
  const user = {
    id: 12, firstName: 'Anne', lastName: 'Martin', mail: 'anne.martin@acme.fr', birthDate: '1990-04-02T00:00:00',
    dtContractStart: '2020-01-06T00:00:00', dtContractEnd: null, department: { name: 'Finance' }, managerId: 3, employeeNumber: '12',
  };
  const mappings = [
    FieldMappingSchema.parse({ source: 'extendedData.e_cse_college', target: 'cse_college', type: 'text' }),
    FieldMappingSchema.parse({ source: 'extendedData.e_prime_panier', target: 'meal_allowance', type: 'number' }),
  ];
  const withExt = (ext: Record<string, unknown>) => ({ ...user, extendedData: Object.fromEntries(Object.entries(ext).map(([k, v]) => [k, { id: 1, value: v }])) });
  const written = mapEmployee(withExt({ e_cse_college: 'Cadres', e_prime_panier: 7 }), TODAY, 0, [], mappings);
  if (written.kind !== 'record') throw new Error('not a record');
  const snapshots = new Map([['12', toFields(written.record)]]);
  const diff = (m: Mapped) => diffDataset({ mapped: [m], snapshots, inScope: null, guardPct: 10, confirmDeletions: false });

  it.each([
    ['left out of extendedData (section not granted)', withExt({}), []],
    ['served null for everyone while we had synced values (hidden run-wide)', withExt({ e_cse_college: null, e_prime_panier: null }), ['attr.cse_college', 'attr.meal_allowance']],
  ])('%s: unknown, carried from what we last wrote, no change', (_, raw, hidden) => {
    const mapped = mapEmployee(raw, TODAY, 0, hidden, mappings);
    expect(mapped).toMatchObject({ kind: 'record', unknown: ['attr.cse_college', 'attr.meal_allowance'], numeric: ['attr.meal_allowance'] });
    expect([diff(mapped).lines, diff(mapped).unchanged]).toEqual([[], 1]);
  });

  it('with another change, the upsert sends the carried values, a number attribute as a number (never null, never text)', () => {
    const mapped = mapEmployee({ ...withExt({}), firstName: 'Anna' }, TODAY, 0, [], mappings);
    const [line] = diff(mapped).lines;
    expect(line?.changes).toEqual([{ field: 'first_name', before: 'Anne', after: 'Anna' }]);
    expect(line?.plan).toEqual({ op: 'upsert', record: expect.objectContaining({ 'attr.cse_college': 'Cadres', 'attr.meal_allowance': 7 }) });
  });

  it('null for one person only (not hidden run-wide) is a real clear', () => {
    const mapped = mapEmployee(withExt({ e_cse_college: null, e_prime_panier: 7 }), TODAY, 0, [], mappings);
    expect(mapped).not.toHaveProperty('unknown');
    expect(diff(mapped).lines[0]?.changes).toEqual([{ field: 'attr.cse_college', before: 'Cadres', after: null }]);
  });
});

describe('mapFixedItem / mapVariableItem (Pagga → Reflect compensation, documented shapes)', () => {
  // Lucca's documented item: no top-level owner, `workContract{workContractId, amendmentId, ownerId, owner, …}`,
  // and a nature that lists the establishments using it with their currency.
  const FR = { id: 1, name: 'Acme FR', currencyCode: 'EUR', currencySymbol: '€' };
  const CH = { id: 2, name: 'Acme CH', currencyCode: 'CHF', currencySymbol: 'CHF' };
  const contract = (workContractId: number, ownerId: number) => ({ workContractId, amendmentId: 0, ownerId, owner: { id: ownerId }, startsOn: '2020-01-01', endsOn: null });
  const fixed = {
    id: 5, amount: 3200, startsOn: '2024-01-01', endsOn: null, comment: null, natureId: 11,
    nature: { id: 11, name: 'Basic salary', category: { id: 1, code: 'BASIC_SALARY' }, establishments: [CH] },
    workContractId: 121, workContract: contract(121, 12),
  };
  const variable = {
    id: 5, amount: 800, period: '2025-03-01', isDeleted: false, natureId: 21, workContractId: 121, amendmentId: 0, comments: null,
    nature: { id: 21, name: 'Annual bonus', type: 'Amount', category: { id: 2, code: 'BONUS' }, establishments: [FR, CH] },
    workContract: contract(121, 12),
  };
  const none = currencyIndex([], []);
  /** Work contract 121 (person 12) is in the Swiss establishment, 131 (person 13) in the French one. */
  const contracts = [{ id: 121, ownerId: 12, establishmentId: 2 }, { id: 131, ownerId: 13, establishmentId: 1 }];
  const index = currencyIndex(contracts, [fixed, variable]);

  it('a fixed item keeps its dates and category; the owner comes from workContract.ownerId; the id says it is fixed', () => {
    expect(mapFixedItem(fixed, 0, index)).toEqual({
      kind: 'record', id: 'fixed-5', record: {
        external_id: 'fixed-5', employee_external_id: '12', kind: 'fixed', category: 'BASIC_SALARY', amount: 3200, currency: 'CHF',
        starts_on: '2024-01-01', ends_on: null, period: null,
      },
    });
  });

  it('reads the owner from ownerId or owner.id too, when an item has no work contract owner', () => {
    const { workContract: _w, ...rest } = fixed;
    expect(mapFixedItem({ ...rest, ownerId: 12 }, 0, index)).toMatchObject({ record: { employee_external_id: '12' } });
    expect(mapFixedItem({ ...rest, owner: { id: 12 } }, 0, index)).toMatchObject({ record: { employee_external_id: '12' } });
  });

  it('a nature shared by a French and a Swiss establishment: each person gets their own establishment\'s currency', () => {
    const shared = { ...fixed, nature: { ...fixed.nature, establishments: [FR, CH] } };
    expect(mapFixedItem(shared, 0, index)).toMatchObject({ record: { employee_external_id: '12', currency: 'CHF' } });
    const french = { ...shared, id: 6, workContractId: 131, workContract: contract(131, 13) };
    expect(mapFixedItem(french, 0, index)).toMatchObject({ record: { employee_external_id: '13', currency: 'EUR' } });
  });

  it('a Swiss bonus is CHF with fixed pay and without any (no EUR fallback)', () => {
    expect(mapVariableItem(variable, 0, index)).toMatchObject({
      id: 'variable-5', record: { kind: 'variable', category: 'BONUS', amount: 800, currency: 'CHF', period: '2025-03-01', starts_on: null },
    });
    // No fixed item read at all: the work contract alone says the establishment.
    expect(mapVariableItem(variable, 0, currencyIndex(contracts, [variable]))).toMatchObject({ record: { currency: 'CHF' } });
  });

  it('an establishment missing from the item\'s nature takes its currency from another nature read', () => {
    const frenchOnly = { ...variable, nature: { ...variable.nature, establishments: [FR] } };
    expect(mapVariableItem(frenchOnly, 0, currencyIndex(contracts, [frenchOnly, fixed]))).toMatchObject({ record: { currency: 'CHF' } });
  });

  it('without the work contract, a nature paid in one currency only still says it', () => {
    expect(mapFixedItem(fixed, 0, none)).toMatchObject({ kind: 'record', record: { currency: 'CHF' } });
  });

  it.each([
    ['the work contract was not returned and the nature has two currencies', variable, none, /did not return its work contract.*2 currencies/],
    ['the item has no work contract and the nature no currency', { ...variable, workContractId: null, workContract: { ownerId: 12 }, nature: { category: { code: 'BONUS' } } }, index, /no work contract.*names no establishment currency/],
    ['the establishment has no currency in any nature read', variable, currencyIndex([{ id: 121, establishmentId: 9 }], [variable]), /currency of the item's establishment/],
  ])('quarantines an item whose currency cannot be known (%s), never written as EUR', (_label, item, idx, message) => {
    const mapped = mapVariableItem(item, 0, idx);
    expect(mapped.kind).toBe('invalid');
    if (mapped.kind !== 'invalid') return;
    expect(mapped.reasons).toEqual([{ code: 'currency_unknown', field: 'currency', message: expect.stringMatching(message) }]);
  });

  it('a deleted variable item is gone (deleted from Reflect if we wrote it)', () => {
    expect(mapVariableItem({ ...variable, isDeleted: true }, 0, none)).toEqual({ kind: 'gone', id: 'variable-5' });
  });

  it.each([
    ['no owner', { ...fixed, workContract: { workContractId: 121 } }, 'employee_external_id'],
    ['a category Reflect cannot take', { ...fixed, nature: { ...fixed.nature, category: { code: 'basic salary' } } }, 'category'],
    ['no amount', { ...fixed, amount: null }, 'amount'],
    ['no start', { ...fixed, startsOn: null }, 'starts_on'],
    ['an end before the start', { ...fixed, endsOn: '2023-01-01' }, 'ends_on'],
  ])('quarantines a fixed item with %s', (_label, item, field) => {
    const mapped = mapFixedItem(item, 0, index);
    expect(mapped.kind).toBe('invalid');
    if (mapped.kind === 'invalid') expect(mapped.reasons.map((r) => r.field)).toContain(field);
  });

  it('a variable item without a period is quarantined; junk gets a positional id', () => {
    expect(mapVariableItem({ ...variable, period: null }, 0, index)).toMatchObject({ kind: 'invalid', id: 'variable-5' });
    expect(mapFixedItem(null, 3, index)).toMatchObject({ kind: 'invalid', id: 'fixed-malformed-at-3' });
  });
});

describe('mapExpenseClaim (Lucca expense claim → Reflect expense)', () => {
  const claim = { id: 77, name: 'Salon Lyon', declaredOn: '2025-03-04T00:00:00', statusId: 7, ownerId: 12, currencyId: 'eur', modifiedOn: '2025-03-10T09:00:00' };

  it('maps the header; the amount lives on claim items, so it is null', () => {
    expect(mapExpenseClaim(claim, 0)).toEqual({
      kind: 'record', id: '77', record: {
        external_id: '77', employee_external_id: '12', name: 'Salon Lyon', declared_on: '2025-03-04', status: 'paid', currency: 'EUR', amount: null,
      },
    });
  });

  it('maps every Lucca status', () => {
    for (const [statusId, status] of Object.entries(EXPENSE_STATUS)) {
      expect(mapExpenseClaim({ ...claim, statusId: Number(statusId) }, 0)).toMatchObject({ record: { status } });
    }
    expect(Object.keys(EXPENSE_STATUS)).toHaveLength(9);
  });

  it.each([
    ['statusId as a number', { statusId: 3 }],
    ['statusId as an object (the documented sample)', { statusId: { id: 3 } }],
    ['the status object only', { statusId: undefined, status: { id: 3, name: 'Approved', code: 'Approved' } }],
    ['the status object without its id', { statusId: undefined, status: { name: 'Approved' } }],
    ['both forms', { statusId: 3, status: { id: 3, name: 'Approved', code: 'Approved' } }],
  ])('reads the status in every documented form: %s', (_label, patch) => {
    expect(mapExpenseClaim({ ...claim, ...patch }, 0)).toMatchObject({ kind: 'record', record: { status: 'approved' } });
  });

  it.each([
    ['2023-11-07T05:31:56Z', '2023-11-07'], // the documented sample
    ['2024-03-31T22:30:00Z', '2024-04-01'], // Europe/Paris day, not the UTC one
    ['2024-04-01T00:00:00+02:00', '2024-04-01'],
    ['2024-04-01T00:00:00', '2024-04-01'],
    ['2024-04-01', '2024-04-01'],
  ])('declaredOn %s is the Paris day %s', (declaredOn, day) => {
    expect(mapExpenseClaim({ ...claim, declaredOn }, 0)).toMatchObject({ record: { declared_on: day } });
  });

  it.each([
    ['an unknown status', { statusId: 42 }, 'status'],
    ['an unknown status object', { statusId: undefined, status: { id: 42, name: 'Archived' } }, 'status'],
    ['no status at all', { statusId: undefined }, 'status'],
    ['no name', { name: ' ' }, 'name'],
    ['no owner', { ownerId: null }, 'employee_external_id'],
    ['no declaration date', { declaredOn: 'soon' }, 'declared_on'],
  ])('quarantines a claim with %s', (_label, patch, field) => {
    const mapped = mapExpenseClaim({ ...claim, ...patch }, 0);
    expect(mapped.kind).toBe('invalid');
    if (mapped.kind === 'invalid') expect(mapped.reasons.map((r) => r.field)).toContain(field);
  });
});

describe('diffDataset (what to write, against what we last wrote)', () => {
  const rec = (id: string, name = 'A'): Mapped => ({ kind: 'record', id, record: { external_id: id, name, amount: 1 } });
  const snap = (id: string, name = 'A'): [string, Fields] => [id, toFields({ external_id: id, name, amount: 1 })];
  const base = { inScope: null, guardPct: 10, confirmDeletions: false };

  it('new → created, changed → updated with before/after, identical → nothing written', () => {
    const out = diffDataset({ ...base, mapped: [rec('1'), rec('2', 'B'), rec('3')], snapshots: new Map([snap('2'), snap('3')]) });
    expect(out.unchanged).toBe(1);
    expect(out.lines.map((l) => [l.sourceId, l.action, l.outcome])).toEqual([['1', 'created', 'planned'], ['2', 'updated', 'planned']]);
    expect(out.lines[0]?.changes).toEqual([{ field: 'amount', before: null, after: '1' }, { field: 'external_id', before: null, after: '1' }, { field: 'name', before: null, after: 'A' }]);
    expect(out.lines[1]?.changes).toEqual([{ field: 'name', before: 'A', after: 'B' }]);
    expect(out.lines[1]?.plan).toEqual({ op: 'upsert', record: { external_id: '2', name: 'B', amount: 1 } });
    expect(out.okIds).toEqual(['1', '2', '3']);
  });

  it('gone with a snapshot → deleted; gone without one → nothing', () => {
    const out = diffDataset({ ...base, mapped: [{ kind: 'gone', id: '1' }, { kind: 'gone', id: '2' }], snapshots: new Map([snap('1')]) });
    expect(out.lines).toEqual([{ sourceId: '1', action: 'deleted', changes: [], reasons: [], plan: { op: 'delete' }, outcome: 'planned' }]);
  });

  it('invalid → quarantined, reported only; the last good value stays in Reflect', () => {
    const reasons = [{ code: 'invalid_email', field: 'email', message: 'bad' }];
    const out = diffDataset({ ...base, mapped: [{ kind: 'invalid', id: '1', reasons }], snapshots: new Map([snap('1')]), inScope: () => true });
    expect(out.lines).toEqual([{ sourceId: '1', action: 'quarantined', changes: [], reasons, plan: null, outcome: 'reported' }]);
  });

  it('an incremental read deletes nothing by absence; a complete one deletes what it no longer sees, in its scope only', () => {
    const snapshots = new Map([snap('1'), snap('2'), snap('3'), ...Array.from({ length: 20 }, (_, i) => snap(`k${i}`))]);
    const mapped = [rec('1'), ...Array.from({ length: 20 }, (_, i) => rec(`k${i}`))];
    expect(diffDataset({ ...base, mapped, snapshots }).lines).toEqual([]);
    const out = diffDataset({ ...base, mapped, snapshots, inScope: (id) => id !== '3' });
    expect(out.lines.map((l) => [l.sourceId, l.action])).toEqual([['2', 'deleted']]);
  });

  it('a skipped record (cut by a window edge) is not deleted', () => {
    const out = diffDataset({ ...base, mapped: [{ kind: 'skipped', id: '1' }], snapshots: new Map([snap('1')]), inScope: () => true });
    expect(out.lines).toEqual([]);
  });

  it('more deletions than the guard allows are held, with a reason, unless confirmed; one is always allowed', () => {
    const snapshots = new Map(Array.from({ length: 20 }, (_, i) => snap(`${i}`)));
    const mapped = Array.from({ length: 15 }, (_, i) => rec(`${i}`));
    const held = diffDataset({ ...base, mapped, snapshots, inScope: () => true });
    expect(held.heldReason).toMatch(/5 records .* 10 % deletion guard allows \(2\)/);
    expect(held.lines.every((l) => l.action === 'deletion_held' && l.outcome === 'skipped' && l.plan === null)).toBe(true);
    const confirmed = diffDataset({ ...base, mapped, snapshots, inScope: () => true, confirmDeletions: true });
    expect(confirmed.lines.filter((l) => l.action === 'deleted')).toHaveLength(5);
    const one = diffDataset({ ...base, mapped: [rec('a')], snapshots: new Map([snap('a'), snap('b')]), inScope: () => true });
    expect(one.lines.map((l) => l.action)).toEqual(['deleted']);
  });

  it('a record staged twice is planned once', () => {
    expect(diffDataset({ ...base, mapped: [rec('1'), rec('1', 'B')], snapshots: new Map() }).lines).toHaveLength(1);
  });
});

describe('decideReadPlan (full or incremental)', () => {
  const now = new Date('2025-09-10T08:00:00Z');
  const day = 86_400_000;
  const at = (ms: number) => new Date(now.getTime() - ms);
  const plan = (dataset: 'employees' | 'compensation' | 'absences' | 'expenses', cursor?: { lastSince: Date | null; lastFullReadAt: Date | null }, fullReadDays = 7) =>
    decideReadPlan({ dataset, now, today: '2025-09-10', cursor, fullReadDays });

  it('the first run of a dataset reads everything', () => {
    expect(plan('employees')).toMatchObject({ full: true, since: null, parts: [{ kind: 'users', since: null }], readStartedAt: now.toISOString() });
  });

  it('a daily run reads what changed since the last run started, with five minutes of overlap', () => {
    const p = plan('employees', { lastSince: at(day), lastFullReadAt: at(3 * day) });
    expect(p).toMatchObject({ full: false, since: '2025-09-09T07:55:00.000Z', parts: [{ kind: 'users', since: '2025-09-09T07:55:00.000Z' }] });
    expect(plan('expenses', { lastSince: at(day), lastFullReadAt: at(3 * day) }).parts).toEqual([{ kind: 'expense-claims', since: '2025-09-09T07:55:00.000Z' }]);
  });

  it('a full re-read comes back every fullReadDays (a schedule a few minutes late or early still counts), and always with 0', () => {
    expect(plan('employees', { lastSince: at(day), lastFullReadAt: at(7 * day) }).full).toBe(true);
    expect(plan('employees', { lastSince: at(day), lastFullReadAt: at(7 * day - 5 * 60_000) }).full).toBe(true);
    expect(plan('employees', { lastSince: at(day), lastFullReadAt: at(6 * day) }).full).toBe(false);
    expect(plan('employees', { lastSince: at(day), lastFullReadAt: at(day) }, 0).full).toBe(true);
    expect(plan('employees', { lastSince: null, lastFullReadAt: at(day) }).full).toBe(true);
  });

  it('an operator\'s full resync reads everything whatever the cursor says (absences: the full window)', () => {
    const cursor = { lastSince: at(day), lastFullReadAt: at(day) };
    expect(decideReadPlan({ dataset: 'employees', now, today: '2025-09-10', cursor, fullReadDays: 7, full: true }))
      .toMatchObject({ full: true, since: null, parts: [{ kind: 'users', since: null }] });
    expect(decideReadPlan({ dataset: 'absences', now, today: '2025-09-10', cursor, fullReadDays: 7, full: true }).window?.from).toBe('2024-09-10');
    expect(plan('employees', cursor).full).toBe(false);
  });

  it('compensation is read whole on every run', () => {
    expect(plan('compensation', { lastSince: at(day), lastFullReadAt: at(day) })).toMatchObject({
      full: true, parts: [{ kind: 'fixed-items' }, { kind: 'variable-items' }, { kind: 'work-contracts' }],
    });
  });

  it('absences read a date window: the recent past and the year ahead daily, a year each way when full', () => {
    expect(plan('absences', { lastSince: at(day), lastFullReadAt: at(day) })).toMatchObject({
      full: false, since: null, window: { from: '2025-08-06', to: '2026-09-10', edgeDays: 7 }, parts: [{ kind: 'leaves', from: '2025-08-06', to: '2026-09-10' }],
    });
    expect(plan('absences')).toMatchObject({ full: true, window: { from: '2024-09-10', to: '2026-09-10' } });
  });
});

it('the registry runs Reflect\'s datasets in report order; runs begun before it ran the same ones', () => {
  expect(TARGETS.reflect.datasets.map((d) => d.name)).toEqual([...REFLECT_DATASETS]);
  expect(LEGACY_REFLECT_DATASETS).toEqual(TARGETS.reflect.datasets);
});
