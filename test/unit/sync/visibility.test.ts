import { describe, expect, it } from 'vitest';
import {
  addEvidence, createTally, emptyEvidence, guardVisibility, hiddenFields, notVisibleNote, omittedFields, type Evidence, type VisibilityCounts,
} from '../../../rules/visibility.js';

const user = (over: Record<string, unknown> = {}) => ({
  id: 1, firstName: 'Ann', lastName: 'Lee', mail: 'ann@x.fr', birthDate: '1990-01-02T00:00:00',
  dtContractStart: '2020-01-01T00:00:00', dtContractEnd: null, ...over,
});
const snap = (over: Record<string, string | null> = {}) => ({ birthDate: '1990-01-02', contractStart: '2020-01-01', contractEnd: null, ...over });

describe('omittedFields: a key left out of the record is unknown for that record', () => {
  it.each([
    ['every key present', user(), []],
    ['birthDate left out', (({ birthDate: _, ...r }) => r)(user()), ['birthDate']],
    ['birthDate null (present)', user({ birthDate: null }), []],
    ['contract dates left out', (({ dtContractStart: _s, dtContractEnd: _e, ...r }) => r)(user()), ['contractStart', 'contractEnd']],
    ['names left out (required: quarantined elsewhere, never unknown)', (({ firstName: _f, mail: _m, ...r }) => r)(user()), []],
    ['not an object', 'x', []],
  ])('%s', (_, raw, expected) => expect(omittedFields(raw)).toEqual(expected));
});

describe('hiddenFields: null for everyone read, while snapshots hold values', () => {
  const evidenceOf = (rows: Array<[Record<string, unknown>, Record<string, string | null> | undefined]>): Evidence => {
    const e = emptyEvidence();
    for (const [raw, s] of rows) addEvidence(e, raw, s);
    return e;
  };
  it.each<[string, Array<[Record<string, unknown>, Record<string, string | null> | undefined]>, string[]]>([
    ['every birth date null, two snapshots with one → hidden', [[user({ birthDate: null }), snap()], [user({ id: 2, birthDate: null }), snap()]], ['birthDate']],
    ['one person cleared in Lucca, others still valued → a real change', [[user({ birthDate: null }), snap()], [user({ id: 2 }), snap()], [user({ id: 3, birthDate: null }), snap()]], []],
    ['a single person, cleared → a real change (below the threshold)', [[user({ birthDate: null }), snap()]], []],
    ['all null but no snapshot (first sync) → not hidden', [[user({ birthDate: null }), undefined], [user({ id: 2, birthDate: null }), undefined]], []],
    ['all null, snapshots null too → nothing was ever known, not hidden', [[user({ birthDate: null }), snap({ birthDate: null })], [user({ id: 2, birthDate: null }), snap({ birthDate: null })]], []],
    ['left out (not null) is per record, not run-wide', [[(({ birthDate: _, ...r }) => r)(user()), snap()], [(({ birthDate: _, ...r }) => r)(user({ id: 2 })), snap()]], []],
    ['contract end null for all with two known ends → hidden', [[user({ dtContractEnd: null }), snap({ contractEnd: '2030-01-01' })], [user({ id: 2 }), snap({ contractEnd: '2031-01-01' })]], ['contractEnd']],
  ])('%s', (_, rows, expected) => expect(hiddenFields(evidenceOf(rows))).toEqual(expected));
});

describe('createTally: counts now, and former / future as of the baseline day', () => {
  it('counts values, former and future on both days', () => {
    const t = createTally('2025-09-01', '2025-08-01');
    t.add(user());
    t.add(user({ id: 2, birthDate: null, dtContractEnd: '2025-08-15T00:00:00' })); // left since the baseline: former now, not then
    t.add(user({ id: 3, dtContractEnd: '2025-01-01T00:00:00' })); // former on both days
    t.add(user({ id: 4, dtContractStart: '2025-08-20T00:00:00' })); // started since: future then, not now
    t.add(user({ id: 5, dtContractStart: '2025-10-01T00:00:00' })); // future on both days
    t.add((({ birthDate: _, ...r }) => r)(user({ id: 6 })));
    t.add(42);
    expect(t.counts()).toEqual({
      day: '2025-09-01', read: 7, former: 2, future: 1,
      valued: { firstName: 6, lastName: 6, email: 6, birthDate: 4, contractStart: 6, contractEnd: 2 },
    });
    expect(t.atBaseline()).toEqual({ former: 1, future: 2 });
  });
});

describe('guardVisibility', () => {
  const counts = (over: Partial<VisibilityCounts> = {}, valued: Record<string, number> = {}): VisibilityCounts => ({
    day: '2025-08-01', read: 100, former: 20, future: 10,
    valued: { firstName: 100, lastName: 100, email: 100, birthDate: 95, contractStart: 100, contractEnd: 25, ...valued }, ...over,
  });
  type Row = [string, VisibilityCounts | null, VisibilityCounts, { former: number; future: number }, string[]];
  it.each<Row>([
    ['first run: nothing to compare', null, counts(), { former: 0, future: 0 }, []],
    ['same read', counts(), counts(), { former: 20, future: 10 }, []],
    ['birth dates gone for everyone', counts(), counts({}, { birthDate: 0 }), { former: 20, future: 10 }, ['field:birthDate']],
    ['birth dates: 2 fewer (below 3 people)', counts(), counts({}, { birthDate: 93 }), { former: 20, future: 10 }, []],
    ['birth dates: a quarter fewer', counts(), counts({}, { birthDate: 71 }), { former: 20, future: 10 }, ['field:birthDate']],
    ['former employees gone (and their values with them: not counted twice)', counts(), counts({ read: 80, former: 0 }, { firstName: 80, lastName: 80, email: 80, birthDate: 76, contractStart: 80, contractEnd: 5 }), { former: 0, future: 10 }, ['former']],
    ['future employees gone', counts(), counts({ read: 90, future: 0 }, { firstName: 90, lastName: 90, email: 90, birthDate: 86, contractStart: 90 }), { former: 20, future: 0 }, ['future']],
    ['future employees started since (seen as current now): no shrink', counts(), counts({ future: 0 }), { former: 20, future: 10 }, []],
    ['two former employees rehired: below 3 people', counts(), counts({ former: 18 }), { former: 18, future: 10 }, []],
    ['headcount halved among current employees', counts(), counts({ read: 65 }, { firstName: 65, lastName: 65, email: 65, birthDate: 62, contractStart: 65, contractEnd: 25 }), { former: 20, future: 10 }, ['current']],
  ])('%s', (_, baseline, now, nowAtBaseline, expected) => {
    const r = guardVisibility({ baseline, now, nowAtBaseline, override: false });
    expect(r.shrinks.map((s) => (s.what === 'field' ? `field:${s.field}` : s.what))).toEqual(expected);
    expect(r.allowed).toBe(expected.length === 0);
  });

  it('names the permissions and the confirmation; confirmed, it lets the run through with a note', () => {
    const input = { baseline: counts(), now: counts({ read: 80, former: 0 }, { birthDate: 0 }), nowAtBaseline: { former: 0, future: 10 } };
    const blocked = guardVisibility({ ...input, override: false });
    expect(blocked.message).toContain('Visibility guard: the Lucca key sees less than at the last successful run (2025-08-01)');
    expect(blocked.message).toContain('20 former employees returned then, 0 now ("See former employees")');
    expect(blocked.message).toContain('birthDate had a value for 95 people, now 0 ("Consult HR files" › the section holding the birth date)');
    expect(blocked.message).toContain('re-run with --confirm-visibility');
    const confirmed = guardVisibility({ ...input, override: true });
    expect(confirmed.allowed).toBe(true);
    expect(confirmed.message).toContain('confirmed by the operator');
  });
});

describe('notVisibleNote', () => {
  it('null when everything was visible; otherwise per field, with how it was hidden and the permission', () => {
    expect(notVisibleNote({}, [])).toBeNull();
    const note = notVisibleNote({ birthDate: 12 }, ['birthDate']);
    expect(note).toContain('birthDate was not visible to the Lucca key for 12 employee(s) (null for everyone read, while we had synced values)');
    expect(note).toContain('"Consult HR files" › the section holding the birth date');
    expect(notVisibleNote({ contractEnd: 1 }, [])).toContain('(left out by Lucca)');
  });
});
