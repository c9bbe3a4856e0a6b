import { describe, expect, it } from 'vitest';
import { decideRecord, resolvePolicies } from '../../../rules/three-way.js';
import type { Person } from '../../../rules/person.js';

const person = (over: Partial<Person> = {}): Person => ({
  firstName: 'Jean', lastName: 'DUPONT', email: 'jean.dupont@x.fr',
  birthDate: '1990-05-01', contractStart: '2020-01-01', contractEnd: null, ...over,
});

describe('decideRecord', () => {
  it('combines per-field decisions into a patch, a new base, conflicts and notes', () => {
    const base = person();
    const source = person({ lastName: 'MARTIN', contractEnd: '2025-06-30' });
    const target = person({ firstName: 'Jeannot', email: 'jd@perso.fr', contractEnd: '2025-01-01' });
    const r = decideRecord({ base, source, target, policies: resolvePolicies('lucca-wins', { firstName: 'target-wins', email: 'review' }) });
    expect(r.patch).toEqual({ lastName: 'MARTIN', contractEnd: '2025-06-30' });
    expect(r.conflicts).toEqual(['email']);
    expect(r.notes).toEqual([
      { field: 'firstName', note: 'manual_edit_kept' },
      { field: 'contractEnd', note: 'both_changed_overwritten' },
    ]);
    expect(r.newBase).toEqual({ ...base, lastName: 'MARTIN', contractEnd: '2025-06-30' });
    expect(r.fields.birthDate.case).toBe('unchanged');
  });
  it('no base at all: writes every differing field, stores the source as base', () => {
    const source = person();
    const target = person({ firstName: 'J.', birthDate: null });
    const r = decideRecord({ base: undefined, source, target, policies: resolvePolicies('review') });
    expect(r.patch).toEqual({ firstName: 'Jean', birthDate: '1990-05-01' });
    expect(r.conflicts).toEqual([]);
    expect(r.newBase).toEqual(source);
  });
  it('a field missing from a partial base is a no-base field', () => {
    const r = decideRecord({ base: { firstName: 'Jean' }, source: person(), target: person({ lastName: 'X' }), policies: resolvePolicies('review') });
    expect(r.fields.lastName).toMatchObject({ case: 'source_changed', write: true });
  });
  it('nothing to do gives an empty patch', () => {
    const r = decideRecord({ base: person(), source: person(), target: person({ email: ' JEAN.DUPONT@X.FR' }), policies: resolvePolicies() });
    expect(r.patch).toEqual({});
    expect(r.notes).toEqual([]);
  });
});

describe('resolvePolicies', () => {
  it('defaults to lucca-wins on every field', () => {
    expect(Object.values(resolvePolicies())).toEqual(Array(6).fill('lucca-wins'));
  });
  it('applies per-field overrides over the default', () => {
    const p = resolvePolicies('target-wins', { email: 'review' });
    expect(p).toEqual({ firstName: 'target-wins', lastName: 'target-wins', email: 'review', birthDate: 'target-wins', contractStart: 'target-wins', contractEnd: 'target-wins' });
  });
});
