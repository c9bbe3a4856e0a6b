import { createRng, type Rng } from '../shared/rng.js';

/** A stream of its own for one record (user id, salt), so lazily generated data does not depend on access order. */
export function rngFor(seed: number, id: number, salt: number): Rng {
  let h = (seed ^ Math.imul(id, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return createRng((h ^ (h >>> 16)) >>> 0);
}

export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Picks by weight: `weighted(rng, [[2, 0.9], [3, 0.1]])`. */
export function weighted<T>(rng: Rng, options: ReadonlyArray<readonly [T, number]>): T {
  const total = options.reduce((sum, [, w]) => sum + w, 0);
  let draw = rng() * total;
  for (const [value, w] of options) {
    draw -= w;
    if (draw < 0) return value;
  }
  const last = options[options.length - 1];
  if (!last) throw new Error('weighted: empty list');
  return last[0];
}
