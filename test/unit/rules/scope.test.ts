/** Scope evaluation and resolution (issue 20): table tests of rules/scope.ts. */
import { describe, expect, it } from 'vitest';
import {
  evaluateScope, orgOf, resolveScope, ScopeInputSchema, ScopeResolutionError, scopeDimensions, type OrgCatalog, type ResolvedScope,
} from '../../../rules/scope.js';

const catalog: OrgCatalog = {
  legalEntities: [{ id: 1, name: 'Acme SAS' }, { id: 2, name: 'Acme Services SARL' }, { id: 3, name: 'Twin' }, { id: 4, name: 'twin' }],
  establishments: [
    { id: 10, name: 'Paris', legalEntityId: 1 }, { id: 11, name: 'Lyon', legalEntityId: 1 }, { id: 20, name: 'Nantes', legalEntityId: 2 },
  ],
  departments: [{ id: 100, name: 'Ventes' }, { id: 101, name: 'Support' }, { id: 102, name: 'R&D' }],
};

const resolve = (input: unknown) => resolveScope(ScopeInputSchema.parse(input), catalog);

describe('resolveScope', () => {
  it('names (case and spacing ignored) and ids resolve; a legal entity carries its establishments', () => {
    const s = resolve({ include: { legalEntities: [' acme sas '], departments: [101, '102'] }, exclude: { establishments: ['Lyon'] } });
    expect(s.include.legalEntities).toEqual([{ id: 1, name: 'Acme SAS', establishmentIds: [10, 11] }]);
    expect(s.include.departments.map((d) => d.id)).toEqual([101, 102]);
    expect(s.exclude.establishments).toEqual([{ id: 11, name: 'Lyon' }]);
  });

  it('an unknown name, an unknown id and an ambiguous name are all listed in one clear error', () => {
    let error: unknown;
    try {
      resolve({ include: { legalEntities: ['Nope', 'Twin'], departments: [999] } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScopeResolutionError);
    const problems = (error as ScopeResolutionError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/no legal entity "Nope" is visible to the key \(known: 1 "Acme SAS"/);
    expect(problems[1]).toMatch(/legal entity name "Twin" is ambiguous \(ids 3, 4\): use the id/);
    expect(problems[2]).toMatch(/no department id 999/);
  });

  it('the format is strict: an unknown dimension or an empty name is refused by the schema', () => {
    expect(ScopeInputSchema.safeParse({ include: { teams: ['x'] } }).success).toBe(false);
    expect(ScopeInputSchema.safeParse({ include: { departments: ['  '] } }).success).toBe(false);
    expect(ScopeInputSchema.safeParse({ include: { departments: [0] } }).success).toBe(false);
  });
});

describe('evaluateScope', () => {
  const onlyAcme = resolve({ include: { legalEntities: ['Acme SAS'] } });
  const acmeSalesOrSupport = resolve({ include: { legalEntities: [1], departments: ['Ventes', 'Support'] } });
  const notNantesNotRnd = resolve({ exclude: { establishments: ['Nantes'], departments: ['R&D'] } });
  const acmeButNotLyon = resolve({ include: { legalEntities: [1] }, exclude: { establishments: [11] } });
  const cases: [string, ResolvedScope | null, { establishmentId: number | null; departmentId: number | null }, unknown][] = [
    ['no scope: everyone', null, { establishmentId: null, departmentId: null }, { in: true }],
    ['empty scope: everyone', resolve({}), { establishmentId: 20, departmentId: 100 }, { in: true }],
    ['included legal entity (via its establishment)', onlyAcme, { establishmentId: 11, departmentId: 100 }, { in: true }],
    ['other legal entity', onlyAcme, { establishmentId: 20, departmentId: 100 }, { in: false, reason: 'not_included', dimension: 'legalEntities' }],
    ['two dimensions: both match', acmeSalesOrSupport, { establishmentId: 10, departmentId: 101 }, { in: true }],
    ['two dimensions: department does not', acmeSalesOrSupport, { establishmentId: 10, departmentId: 102 }, { in: false, reason: 'not_included', dimension: 'departments' }],
    ['exclude only: excluded establishment', notNantesNotRnd, { establishmentId: 20, departmentId: 100 }, { in: false, reason: 'excluded', dimension: 'establishments' }],
    ['exclude only: excluded department', notNantesNotRnd, { establishmentId: 10, departmentId: 102 }, { in: false, reason: 'excluded', dimension: 'departments' }],
    ['exclude only: the rest is in', notNantesNotRnd, { establishmentId: 10, departmentId: 100 }, { in: true }],
    ['exclude wins over include', acmeButNotLyon, { establishmentId: 11, departmentId: 100 }, { in: false, reason: 'excluded', dimension: 'establishments' }],
    ['a used dimension not visible: unknown, not out', acmeSalesOrSupport, { establishmentId: 10, departmentId: null }, { in: 'unknown', dimension: 'departments' }],
    ['an unused dimension not visible: no matter', onlyAcme, { establishmentId: 10, departmentId: null }, { in: true }],
  ];
  it.each(cases)('%s', (_name, scope, org, expected) => {
    expect(evaluateScope(scope, org)).toEqual(expected);
  });

  it('scopeDimensions lists only what the scope uses', () => {
    expect(scopeDimensions(acmeSalesOrSupport)).toEqual(['legalEntities', 'departments']);
    expect(scopeDimensions(null)).toEqual([]);
  });
});

describe('orgOf', () => {
  it.each([
    [{ legalEntityId: 3, departmentId: 7 }, { establishmentId: 3, departmentId: 7 }],
    [{ departmentId: null }, { establishmentId: null, departmentId: null }],
    [{ legalEntityId: '3', departmentId: 1.5 }, { establishmentId: null, departmentId: null }],
    [null, { establishmentId: null, departmentId: null }],
  ])('%j → %j', (raw, expected) => expect(orgOf(raw)).toEqual(expected));
});
