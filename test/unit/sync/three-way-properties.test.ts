import { describe, expect, it } from 'vitest';
import { decideField, type Policy } from '../../../rules/three-way.js';
import { sameValue } from '../../../rules/person.js';

/** mulberry32: a tiny seeded RNG, so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A small pool so that equalities happen often; two spellings of the same normalised email.
const POOL = ['a@x.fr', ' A@X.fr', 'b@x.fr', 'c@x.fr', null] as const;
const POLICIES: Policy[] = ['lucca-wins', 'target-wins', 'review'];
const eq = (x: string | null, y: string | null) => sameValue('email', x, y);

function* triples(n: number) {
  const r = rng(20240611);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  for (let i = 0; i < n; i++) {
    const base = r() < 0.15 ? undefined : pick(POOL);
    yield { base, source: pick(POOL), target: pick(POOL), policy: pick(POLICIES) };
  }
}

const N = 5000;

describe('decideField invariants over generated (base, source, target, policy)', () => {
  it(`hold for ${N} seeded triples`, () => {
    let checked = 0;
    for (const input of triples(N)) {
      const { base, source, target, policy } = input;
      const d = decideField({ ...input, field: 'email' });
      const ctx = JSON.stringify(input);
      const handEdited = base !== undefined && !eq(target, base);

      // Shape: a write puts the source on the target and makes it the base; no write keeps the target.
      if (d.write) expect([d.after, d.newBase], ctx).toEqual([source, source]);
      else expect(d.after, ctx).toBe(target);
      expect(d.before, ctx).toBe(target);
      expect(d.newBase, ctx).not.toBeUndefined();

      // Converged or unchanged: never write, never conflict, base follows the source.
      if (eq(target, source)) {
        expect(d.write || d.conflict, ctx).toBe(false);
        expect(eq(d.newBase ?? null, source), ctx).toBe(true);
      }
      // No hand edit (or no base): a Lucca change always reaches the target, whatever the policy.
      if (!handEdited) expect(eq(d.after, source), ctx).toBe(true);
      // Conflicts only under review, and never together with a write.
      if (d.conflict) expect([policy, d.write], ctx).toEqual(['review', false]);

      if (policy === 'lucca-wins') {
        expect(eq(d.after, source), ctx).toBe(true);
        expect(d.conflict, ctx).toBe(false);
      }
      if (policy === 'target-wins') {
        // A hand edit (target ≠ base) is never overwritten; Lucca's value still becomes the base.
        if (handEdited) {
          expect([d.write, d.after], ctx).toEqual([false, target]);
          if (!eq(target, source)) expect(d.note === 'manual_edit_kept' || d.note === 'both_changed_kept', ctx).toBe(true);
        }
        expect(eq(d.newBase ?? null, source), ctx).toBe(true);
      }
      if (policy === 'review') {
        if (handEdited) expect(d.write, ctx).toBe(false);
        expect(d.conflict, ctx).toBe(handEdited && !eq(target, source));
        if (d.conflict) expect(d.newBase, ctx).toBe(base);
      }
      // Notes match the policy that produced them.
      if (d.note === 'manual_edit_overwritten' || d.note === 'both_changed_overwritten') {
        expect([policy, d.write], ctx).toEqual(['lucca-wins', true]);
      }
      if (d.note === 'manual_edit_kept' || d.note === 'both_changed_kept') {
        expect([policy, d.write], ctx).toEqual(['target-wins', false]);
      }

      // Stability: running again on the state this run leaves behind never writes and never flips.
      const again = decideField({ base: d.newBase, source, target: d.after, policy, field: 'email' });
      expect(again.write, ctx).toBe(false);
      expect(again.after, ctx).toBe(d.after);
      expect(again.conflict, ctx).toBe(d.conflict);
      checked++;
    }
    expect(checked).toBe(N);
  });

  it('the generator covers every case and policy', () => {
    const seen = new Set<string>();
    for (const input of triples(N)) seen.add(`${decideField({ ...input, field: 'email' }).case}/${input.policy}`);
    expect(seen.size).toBe(15);
  });
});
