import { describe, expect, it } from 'vitest';
import { desiredStatus, guardDeactivations, lifecycleAction, missingSourceIds } from '../../../rules/lifecycle.js';

const TODAY = '2025-06-15';

describe('desiredStatus', () => {
  it('contract ended strictly before today → inactive', () => expect(desiredStatus({ contractStart: null, contractEnd: '2025-06-14' }, TODAY)).toBe('inactive'));
  it('contract ending today → still active (last working day)', () => expect(desiredStatus({ contractStart: null, contractEnd: TODAY }, TODAY)).toBe('active'));
  it('open-ended or future end → active', () => {
    expect(desiredStatus({ contractStart: null, contractEnd: null }, TODAY)).toBe('active');
    expect(desiredStatus({ contractStart: null, contractEnd: '2026-01-01' }, TODAY)).toBe('active');
  });
  it('future starters are active', () => {
    expect(desiredStatus({ contractStart: '2026-01-01', contractEnd: null }, TODAY)).toBe('active');
  });
  it('rejects a malformed today', () => expect(() => desiredStatus({ contractStart: null, contractEnd: null }, '2025-6-15')).toThrow(RangeError));
});

describe('lifecycleAction', () => {
  it.each([
    ['inactive', 'active', 'deactivate'],
    ['active', 'inactive', 'reactivate'],
    ['active', 'active', null],
    ['inactive', 'inactive', null],
    ['active', null, null],
    ['inactive', null, null],
  ] as const)('desired %s, target %s → %s', (desired, target, action) => {
    expect(lifecycleAction(desired, target)).toBe(action);
  });
});

describe('missingSourceIds', () => {
  it('lists linked employees no longer returned, once, in order', () => {
    expect(missingSourceIds(['1', '2', '3', '2', '4'], new Set(['3', '9']))).toEqual(['1', '2', '4']);
  });
  it('nothing missing', () => expect(missingSourceIds([], ['1'])).toEqual([]));
});

describe('guardDeactivations', () => {
  it('exactly 10 % is allowed', () => expect(guardDeactivations({ toDeactivate: 10, linked: 100 }).allowed).toBe(true));
  it('exactly 10 % with awkward ratios is allowed (integer comparison)', () => {
    expect(guardDeactivations({ toDeactivate: 7, linked: 70 }).allowed).toBe(true);
    expect(guardDeactivations({ toDeactivate: 3, linked: 30, override: false }).allowed).toBe(true);
  });
  it('just above the threshold is blocked, and the message says how many, the threshold and how to override', () => {
    const r = guardDeactivations({ toDeactivate: 101, linked: 1000 });
    expect(r.allowed).toBe(false);
    expect(r.message).toContain('101 of 1000');
    expect(r.message).toContain('10 %');
    expect(r.message).toContain('--confirm-deactivations');
  });
  it('override passes', () => {
    const r = guardDeactivations({ toDeactivate: 50, linked: 100, override: true });
    expect(r.allowed).toBe(true);
    expect(r.message).toContain('confirmed');
  });
  it('zero linked profiles: allowed', () => expect(guardDeactivations({ toDeactivate: 5, linked: 0 }).allowed).toBe(true));
  it('zero deactivations: allowed', () => expect(guardDeactivations({ toDeactivate: 0, linked: 3 }).allowed).toBe(true));
  it('custom threshold', () => {
    expect(guardDeactivations({ toDeactivate: 3, linked: 10, thresholdPct: 25 }).allowed).toBe(false);
    expect(guardDeactivations({ toDeactivate: 1, linked: 1, thresholdPct: 100 }).allowed).toBe(true);
  });
  it('rejects nonsense input', () => expect(() => guardDeactivations({ toDeactivate: -1, linked: 10 })).toThrow(RangeError));
});
