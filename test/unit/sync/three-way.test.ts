import { describe, expect, it } from 'vitest';
import { decideField, decideRecord, resolvePolicies, type FieldDecision, type Policy } from '../../../rules/three-way.js';

// One value per role: B = base, S = a new source value, T = a hand-edited target value.
const B = 'base@x.fr';
const S = 'source@x.fr';
const T = 'target@x.fr';

type Expect = Omit<FieldDecision, 'source' | 'base'>;
const noop = (v: string): Expect => ({ case: 'unchanged', write: false, newBase: v, conflict: false, note: null, before: v, after: v });

/** docs/design.md §3, row by row, column by column. */
const TABLE: { row: string; base: string; source: string; target: string; expect: Record<Policy, Expect> }[] = [
  {
    row: 'target = base, source = base (nothing changed)',
    base: B, source: B, target: B,
    expect: { 'lucca-wins': noop(B), 'target-wins': noop(B), review: noop(B) },
  },
  {
    row: 'target = base, source ≠ base (Lucca changed)',
    base: B, source: S, target: B,
    expect: {
      'lucca-wins': { case: 'source_changed', write: true, newBase: S, conflict: false, note: null, before: B, after: S },
      'target-wins': { case: 'source_changed', write: true, newBase: S, conflict: false, note: null, before: B, after: S },
      review: { case: 'source_changed', write: true, newBase: S, conflict: false, note: null, before: B, after: S },
    },
  },
  {
    row: 'target ≠ base, source = base (hand edit on HappyPal)',
    base: B, source: B, target: T,
    expect: {
      'lucca-wins': { case: 'target_edited', write: true, newBase: B, conflict: false, note: 'manual_edit_overwritten', before: T, after: B },
      'target-wins': { case: 'target_edited', write: false, newBase: B, conflict: false, note: 'manual_edit_kept', before: T, after: T },
      review: { case: 'target_edited', write: false, newBase: B, conflict: true, note: null, before: T, after: T },
    },
  },
  {
    row: 'target ≠ base, source ≠ base, target ≠ source (both changed)',
    base: B, source: S, target: T,
    expect: {
      'lucca-wins': { case: 'both_changed', write: true, newBase: S, conflict: false, note: 'both_changed_overwritten', before: T, after: S },
      'target-wins': { case: 'both_changed', write: false, newBase: S, conflict: false, note: 'both_changed_kept', before: T, after: T },
      review: { case: 'both_changed', write: false, newBase: B, conflict: true, note: null, before: T, after: T },
    },
  },
  {
    row: 'target = source ≠ base (converged)',
    base: B, source: S, target: S,
    expect: {
      'lucca-wins': { case: 'converged', write: false, newBase: S, conflict: false, note: null, before: S, after: S },
      'target-wins': { case: 'converged', write: false, newBase: S, conflict: false, note: null, before: S, after: S },
      review: { case: 'converged', write: false, newBase: S, conflict: false, note: null, before: S, after: S },
    },
  },
];

describe('decideField: docs/design.md §3 table', () => {
  for (const { row, base, source, target, expect: byPolicy } of TABLE) {
    describe(row, () => {
      for (const policy of ['lucca-wins', 'target-wins', 'review'] as const) {
        it(`${policy}`, () => {
          expect(decideField({ base, source, target, policy, field: 'email' })).toEqual({ ...byPolicy[policy], source, base });
        });
      }
    });
  }
});

describe('decideField: no base yet (first sync of a linked/attached profile)', () => {
  for (const policy of ['lucca-wins', 'target-wins', 'review'] as const) {
    it(`${policy}: target ≠ source is treated as "Lucca changed" and the source is written`, () => {
      expect(decideField({ base: undefined, source: S, target: T, policy })).toEqual({
        case: 'source_changed', write: true, newBase: S, conflict: false, note: null, before: T, after: S, source: S, base: undefined,
      });
    });
    it(`${policy}: target = source is converged (base recorded, nothing written)`, () => {
      const d = decideField({ base: undefined, source: S, target: S, policy });
      expect(d).toMatchObject({ case: 'converged', write: false, newBase: S, conflict: false, note: null });
    });
  }
});

describe('decideField: equality on normalised values', () => {
  it('" Jean@X.fr" vs "jean@x.fr" is unchanged for email', () => {
    const d = decideField({ base: 'jean@x.fr', source: ' Jean@X.fr', target: 'jean@x.fr', policy: 'review', field: 'email' });
    expect(d).toMatchObject({ case: 'unchanged', write: false, conflict: false });
  });
  it('email differing only by NFC form is unchanged', () => {
    const d = decideField({ base: 'jose\u0301@x.fr', source: 'jos\u00e9@x.fr', target: 'JOSE\u0301@X.FR', policy: 'review', field: 'email' });
    expect(d.case).toBe('unchanged');
  });
  it('names compare after trim and whitespace collapse, but keep case', () => {
    expect(decideField({ base: 'Jean  Pierre', source: ' Jean Pierre ', target: 'Jean Pierre', policy: 'review', field: 'firstName' }).case).toBe('unchanged');
    const d = decideField({ base: 'Jean', source: 'Jean', target: 'JEAN', policy: 'review', field: 'firstName' });
    expect(d).toMatchObject({ case: 'target_edited', conflict: true });
  });
  it('names keep accents: "Hélène" ≠ "Helene"', () => {
    expect(decideField({ base: 'Hélène', source: 'Hélène', target: 'Helene', policy: 'lucca-wins', field: 'firstName' }).write).toBe(true);
  });
  it('dates compare exactly', () => {
    expect(decideField({ base: '2020-01-01', source: '2020-01-02', target: '2020-01-01', policy: 'review', field: 'birthDate' }).case).toBe('source_changed');
  });
  it('null is a value: clearing a contract end in Lucca is written', () => {
    const d = decideField({ base: '2024-12-31', source: null, target: '2024-12-31', policy: 'review', field: 'contractEnd' });
    expect(d).toMatchObject({ case: 'source_changed', write: true, after: null, newBase: null });
  });
  it('a hand-set value where base was null is a hand edit', () => {
    const d = decideField({ base: null, source: null, target: '2030-01-01', policy: 'target-wins', field: 'contractEnd' });
    expect(d).toMatchObject({ case: 'target_edited', note: 'manual_edit_kept', write: false });
  });
  it('without a field, values compare exactly', () => {
    expect(decideField({ base: 'a', source: 'A', target: 'a', policy: 'review' }).case).toBe('source_changed');
  });
});

describe('target-wins keeps a hand edit on the next run too', () => {
  it('run 2 with the same inputs keeps it again, and a later Lucca change is kept as well', () => {
    const run1 = decideField({ base: B, source: B, target: T, policy: 'target-wins' });
    const run2 = decideField({ base: run1.newBase, source: B, target: run1.after, policy: 'target-wins' });
    expect(run2).toMatchObject({ write: false, after: T, note: 'manual_edit_kept' });
    const run3 = decideField({ base: run2.newBase, source: S, target: run2.after, policy: 'target-wins' });
    expect(run3).toMatchObject({ write: false, after: T, note: 'both_changed_kept' });
  });
  it('review keeps the conflict open until the values converge', () => {
    const run1 = decideField({ base: B, source: B, target: T, policy: 'review' });
    const run2 = decideField({ base: run1.newBase, source: B, target: T, policy: 'review' });
    expect(run2.conflict).toBe(true);
    const run3 = decideField({ base: run2.newBase, source: T, target: T, policy: 'review' });
    expect(run3).toMatchObject({ case: 'converged', conflict: false, newBase: T, write: false });
  });
});

describe('a source value the Lucca key cannot see (unknown is not empty)', () => {
  // Every row of the table, every policy: unknown is never a write, never a conflict, never a change.
  const rows: Array<[string, string | null | undefined, string | null]> = [
    ['target = base', B, B], ['hand edit on the target', B, T], ['no base yet', undefined, T], ['base null, target null', null, null],
  ];
  it.each(rows.flatMap(([row, base, target]) => (['lucca-wins', 'target-wins', 'review'] as const).map((policy) => [row, base, target, policy] as const)))(
    '%s, %s → not_visible: no write, base unchanged, no conflict', (_, base, target, policy) => {
      const d = decideField({ base, source: null, target, policy, field: 'birthDate', unknown: true });
      expect(d).toEqual({ case: 'not_visible', write: false, newBase: base, conflict: false, note: null, before: target, after: target, source: null, base });
    });
  it('decideRecord leaves an unknown field out of the patch, and out of newBase when there was no base', () => {
    const person = { firstName: 'A', lastName: 'B', email: 'a@x.fr', birthDate: null, contractStart: null, contractEnd: null };
    const r = decideRecord({
      base: undefined, source: person, target: { ...person, birthDate: '1990-01-01' }, policies: resolvePolicies('lucca-wins'), unknown: ['birthDate'],
    });
    expect(r.patch).toEqual({});
    expect(r.newBase).not.toHaveProperty('birthDate');
    expect(r.fields.birthDate.case).toBe('not_visible');
  });
});
