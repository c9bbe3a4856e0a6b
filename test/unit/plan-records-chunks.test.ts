/**
 * The planner in bounded memory (createPlanner, planChunks): the activity plans a run chunk by chunk,
 * each chunk with only its own records, profiles and snapshots. Whatever the chunk size, the plan must
 * be the one planRecords computes in one go: same lines in the same order, same quarantine, same guard.
 */
import { describe, expect, it } from 'vitest';
import { planChunks, planRecords, type PlanInput } from '../../activities/targets/happypal/plan-records.js';
import {
  aHappyPalUser, aLuccaUser, aPlanInput, aRawSource, aSource, aSyncedEmployee, withEmployees,
} from './support/builders.js';

const ENDED = '2025-05-31T00:00:00';

/** A run with every kind of line, its ids deliberately out of order and of varying digit counts. */
function aMixedRun(overrides: Partial<PlanInput> = {}): PlanInput {
  const synced = [
    aSyncedEmployee(1),
    aSyncedEmployee(12, { lucca: { lastName: 'Durand' } }),                       // updated
    aSyncedEmployee(5, { profile: { first_name: 'Ally' } }),                      // manual edit (lucca-wins: overwritten)
    aSyncedEmployee(40, { lucca: { dtContractEnd: ENDED } }),                     // deactivated
    aSyncedEmployee(7),                                                           // missing from Lucca → deactivated
    aSyncedEmployee(300),                                                         // missing too, id range of the last chunk
    aSyncedEmployee(8, { profile: { status: 'inactive' } }),                      // reactivated
    aSyncedEmployee(9),                                                           // linked, profile gone on HappyPal
  ];
  const base = withEmployees(synced);
  const gone = new Set(['7', '300']);
  return aPlanInput({
    ...base,
    sources: [
      ...base.sources.filter((s) => !gone.has(s.sourceId)),
      aSource(aLuccaUser({ id: 100 })),                                           // created
      aSource(aLuccaUser({ id: 2, mail: 'twin@acme.example' })),                  // two sources, same email: ambiguous
      aSource(aLuccaUser({ id: 250, mail: 'twin@acme.example' })),
      aSource(aLuccaUser({ id: 60, mail: 'adopt@acme.example' })),                // attached to an unlinked profile
      aSource(aLuccaUser({ id: 61, mail: 'dup@acme.example' })),                  // two profiles with that email: ambiguous
      aSource(aLuccaUser({ id: 3, dtContractEnd: ENDED })),                       // former employee, no profile: nothing
      aRawSource('33', { ...aLuccaUser({ id: 33 }), lastName: '' }),              // quarantined
      aRawSource('malformed-at-4', { nonsense: true }),                           // quarantined, non-numeric id
    ],
    targets: [
      ...base.targets.filter((t) => t.id !== 'hp_usr_9'),
      aHappyPalUser({ id: 'hp_usr_9001', email: 'adopt@acme.example' }),
      aHappyPalUser({ id: 'hp_usr_9002', email: 'dup@acme.example' }),
      aHappyPalUser({ id: 'hp_usr_9003', email: 'dup@acme.example' }),
    ],
    openConflicts: [{ sourceId: '12', field: 'lastName' }],
    confirmDeactivations: true,
    ...overrides,
  });
}

describe('planRecords in chunks', () => {
  it('the mixed run has every kind of line (so the comparison below means something)', () => {
    const actions = new Set(planRecords(aMixedRun()).lines.map((l) => l.action));
    expect([...actions].sort()).toEqual(['ambiguous', 'attached', 'created', 'deactivated', 'error', 'overwrote_manual_edit', 'quarantined', 'reactivated', 'updated'].sort());
  });

  it.each([1, 2, 3, 5, 8, 1000])('chunks of %i give the same plan as one pass', (size) => {
    const input = aMixedRun();
    expect(planRecords(input, size)).toEqual(planRecords(input));
  });

  it('the guard counts deactivations across all chunks', () => {
    // 3 of 8 linked employees deactivated (40, 7, 300) is over a 10 % threshold, whichever chunk they fall in.
    const input = aMixedRun({ confirmDeactivations: false });
    const whole = planRecords(input);
    expect(whole.blockedReason).toMatch(/deactivat/i);
    expect(planRecords(input, 1).blockedReason).toBe(whole.blockedReason);
  });
});

describe('planChunks', () => {
  it('orders fetched and missing ids together, numerically, and cuts them to size', () => {
    const chunks = planChunks(['10', '2', 'b', '100'], [{ sourceId: '7', targetId: 't7' }, { sourceId: '2', targetId: 't2' }], 2);
    expect(chunks).toEqual([
      { sourceIds: ['2'], missing: [{ sourceId: '7', targetId: 't7' }] },
      { sourceIds: ['10', '100'], missing: [] },
      { sourceIds: ['b'], missing: [] },
    ]);
  });

  it('a link whose id was fetched is not missing, and no chunk is empty', () => {
    expect(planChunks([], [], 5)).toEqual([]);
    expect(planChunks(['1'], [{ sourceId: '1', targetId: 't1' }], 5)).toEqual([{ sourceIds: ['1'], missing: [] }]);
  });
});
