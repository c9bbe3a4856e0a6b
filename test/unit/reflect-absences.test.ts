import { describe, expect, it } from 'vitest';
import { ReflectAbsenceRecordSchema } from '../../activities/targets/reflect/schemas.js';
import { absenceId, groupAbsences, parseLeaveRow, windowInterior, type LeaveRow, type LeaveWindow } from '../../activities/targets/reflect/group-absences.js';
import type { Mapped } from '../../activities/targets/reflect/model.js';

const WINDOW: LeaveWindow = { from: '2025-01-01', to: '2025-12-31', edgeDays: 7 };

let n = 0;
function row(date: string, isAm: boolean, extra: Partial<LeaveRow> = {}): LeaveRow {
  return {
    id: `r${n++}`, date, isAm, leavePeriodId: '100', leaveAccountId: '1', accountName: 'Congés payés', ownerId: '7', isActive: true, ...extra,
  };
}
/** Both halves of each day. */
const days = (dates: string[], extra: Partial<LeaveRow> = {}) => dates.flatMap((d) => [row(d, true, extra), row(d, false, extra)]);
const records = (mapped: Mapped[]) => mapped.map((m) => (m.kind === 'record' ? m.record : m));

describe('groupAbsences: half-day rows → one absence per period and leave account', () => {
  it('one full day: am to pm, one day', () => {
    expect(records(groupAbsences(days(['2025-03-05']), WINDOW))).toEqual([{
      external_id: '100-1', employee_external_id: '7', type: 'Congés payés',
      starts_on: '2025-03-05', ends_on: '2025-03-05', start_half: 'am', end_half: 'pm', days: 1,
    }]);
  });

  it('a morning alone and an afternoon alone are half days', () => {
    const [am] = records(groupAbsences([row('2025-03-05', true)], WINDOW));
    expect(am).toMatchObject({ starts_on: '2025-03-05', ends_on: '2025-03-05', start_half: 'am', end_half: 'am', days: 0.5 });
    const [pm] = records(groupAbsences([row('2025-03-05', false)], WINDOW));
    expect(pm).toMatchObject({ start_half: 'pm', end_half: 'pm', days: 0.5 });
  });

  it('starting in the afternoon and ending at noon: the halves and the count say so', () => {
    // Wed pm, Thu am+pm, Fri am.
    const rows = [row('2025-03-05', false), ...days(['2025-03-06']), row('2025-03-07', true)];
    expect(records(groupAbsences(rows, WINDOW))[0]).toMatchObject({
      starts_on: '2025-03-05', start_half: 'pm', ends_on: '2025-03-07', end_half: 'am', days: 2,
    });
  });

  it('a period over a weekend runs Friday to Monday and counts the working days only (no weekend rows)', () => {
    expect(records(groupAbsences(days(['2025-03-07', '2025-03-10']), WINDOW))[0]).toMatchObject({
      starts_on: '2025-03-07', ends_on: '2025-03-10', start_half: 'am', end_half: 'pm', days: 2,
    });
  });

  it('rows in any order give the same absence', () => {
    const rows = [row('2025-03-05', false), ...days(['2025-03-06']), row('2025-03-07', true)];
    expect(groupAbsences([...rows].reverse(), WINDOW)).toEqual(groupAbsences(rows, WINDOW));
  });

  it('a half-day read twice counts once', () => {
    const rows = days(['2025-03-05']);
    expect(records(groupAbsences([...rows, { ...rows[0] as LeaveRow, id: 'again' }], WINDOW))[0]).toMatchObject({ days: 1 });
  });

  it('one period on two accounts is two absences; two periods of one person are two absences', () => {
    const rows = [...days(['2025-03-05'], { leaveAccountId: '1' }), ...days(['2025-03-06'], { leaveAccountId: '2', accountName: 'RTT' }),
      ...days(['2025-04-01'], { leavePeriodId: '101' })];
    const out = records(groupAbsences(rows, WINDOW));
    expect(out.map((r) => (r as { external_id: string }).external_id)).toEqual(['100-1', '100-2', '101-1']);
    expect(out[1]).toMatchObject({ type: 'RTT', starts_on: '2025-03-06', days: 1 });
  });

  it('a period cancelled in Lucca (isActive false on every half-day) is gone', () => {
    expect(groupAbsences(days(['2025-03-05', '2025-03-06'], { isActive: false }), WINDOW)).toEqual([{ kind: 'gone', id: '100-1' }]);
  });

  it('only active half-days count when some of a period were withdrawn', () => {
    const rows = [...days(['2025-03-05'], { isActive: false }), ...days(['2025-03-06'])];
    expect(records(groupAbsences(rows, WINDOW))[0]).toMatchObject({ starts_on: '2025-03-06', ends_on: '2025-03-06', days: 1 });
  });

  it('an account without a name gets a stable type', () => {
    expect(records(groupAbsences(days(['2025-03-05'], { accountName: null, leaveAccountId: '9' }), WINDOW))[0]).toMatchObject({ type: 'Leave account 9' });
  });

  it('a period with a half-day near either end of the window may be cut by it: skipped, never written short', () => {
    const inside = windowInterior(WINDOW);
    expect(inside).toEqual({ from: '2025-01-08', to: '2025-12-24' });
    expect(groupAbsences(days(['2025-01-07', '2025-01-08']), WINDOW)).toEqual([{ kind: 'skipped', id: '100-1' }]);
    expect(groupAbsences(days(['2025-12-24', '2025-12-26']), WINDOW)).toEqual([{ kind: 'skipped', id: '100-1' }]);
    // Even a cancelled one: whether it is whole is unknown.
    expect(groupAbsences(days(['2025-01-02'], { isActive: false }), WINDOW)).toEqual([{ kind: 'skipped', id: '100-1' }]);
    // On the interior's bounds: read whole.
    expect(groupAbsences(days(['2025-01-08']), WINDOW)[0]?.kind).toBe('record');
    expect(groupAbsences(days(['2025-12-24']), WINDOW)[0]?.kind).toBe('record');
  });

  it('every absence it writes passes Reflect\'s own contract', () => {
    const rows = [row('2025-03-05', false), row('2025-03-06', true), ...days(['2025-05-01', '2025-05-02'], { leavePeriodId: '5' }),
      row('2025-06-02', false, { leavePeriodId: '6' })];
    for (const m of groupAbsences(rows, WINDOW)) {
      expect(m.kind).toBe('record');
      if (m.kind === 'record') expect(ReflectAbsenceRecordSchema.safeParse(m.record).success).toBe(true);
    }
  });

  it('an empty read gives nothing', () => {
    expect(groupAbsences([], WINDOW)).toEqual([]);
  });
});

describe('parseLeaveRow', () => {
  const raw = {
    id: '7-20250305-AM', date: '2025-03-05T00:00:00', isAm: true, leavePeriodId: 100, leaveAccountId: 1,
    leaveAccount: { name: ' Congés payés ' }, leavePeriod: { ownerId: 7 }, isActive: true,
  };

  it('reads the fields the grouping needs (ids as strings, the date part of a date-time, a trimmed account name)', () => {
    expect(parseLeaveRow(raw)).toEqual({
      id: '7-20250305-AM', date: '2025-03-05', isAm: true, leavePeriodId: '100', leaveAccountId: '1', accountName: 'Congés payés', ownerId: '7', isActive: true,
    });
  });

  it('takes the period id and the owner from the nested period when the flat fields are absent', () => {
    const { leavePeriodId: _p, ...rest } = raw;
    expect(parseLeaveRow({ ...rest, leavePeriod: { id: '100', owner: { id: 7 } } })).toMatchObject({ leavePeriodId: '100', ownerId: '7' });
  });

  it.each([
    ['not an object', 'row'],
    ['no date', { ...raw, date: null }],
    ['no half', { ...raw, isAm: 'yes' }],
    ['no period', { ...raw, leavePeriodId: undefined }],
    ['no account', { ...raw, leaveAccountId: 'x' }],
    ['no owner', { ...raw, leavePeriod: {} }],
    ['no status', { ...raw, isActive: undefined }],
  ])('refuses a row with %s', (_label, value) => {
    expect(parseLeaveRow(value)).toBeNull();
  });

  it('absence ids are period-account', () => {
    expect(absenceId('100', '2')).toBe('100-2');
  });
});
