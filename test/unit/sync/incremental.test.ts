import { describe, expect, it } from 'vitest';
import {
  cursorMoves, decideUsersRead, idQueries, lookUpTargets, luccaSince, OVERLAP_MS, parisWallTime, targetLookups,
} from '../../../rules/incremental.js';

const at = (iso: string) => new Date(iso);
const cursor = (lastSince: string | null, lastFullReadAt: string | null, settingsSeenAt: string | null = null) => ({
  lastSince: lastSince ? at(lastSince) : null, lastFullReadAt: lastFullReadAt ? at(lastFullReadAt) : null, settingsSeenAt: settingsSeenAt ? at(settingsSeenAt) : null,
});

describe('decideUsersRead: full or incremental', () => {
  const now = at('2025-09-10T04:00:00Z');
  const base = { now, today: '2025-09-10', fullReadDays: 7 };
  it.each([
    ['no cursor: the first read is full', undefined, {}, 'first'],
    ['a cursor without a full read', cursor('2025-09-09T04:00:00Z', null), {}, 'first'],
    ['forced (sync run --full)', cursor('2025-09-09T04:00:00Z', '2025-09-08T04:00:00Z'), { forceFull: true }, 'forced'],
    ['7 days after the last full read', cursor('2025-09-09T04:00:00Z', '2025-09-03T04:00:00Z'), {}, 'due'],
    ['a schedule 30 min early still counts as 7 days', cursor('2025-09-09T04:00:00Z', '2025-09-03T04:30:00Z'), {}, 'due'],
    ['fullReadDays 0: every run', cursor('2025-09-10T03:59:00Z', '2025-09-10T03:59:00Z'), { fullReadDays: 0 }, 'due'],
    ['settings changed since the last run started', cursor('2025-09-09T04:00:00Z', '2025-09-08T04:00:00Z', '2025-12-01T10:00:00Z'), { settingsChangedAt: at('2025-12-01T10:00:01Z') }, 'settings'],
    ['a cursor in the future (clock moved back)', cursor('2025-09-11T04:00:00Z', '2025-09-08T04:00:00Z'), {}, 'due'],
  ] as const)('%s → full (%s)', (_, c, extra, reason) => {
    const plan = decideUsersRead({ ...base, cursor: c, ...extra });
    expect(plan).toMatchObject({ full: true, fullReason: reason, modifiedSince: null, endedBetween: null, cursorAt: null, readStartedAt: now.toISOString() });
  });

  it('otherwise incremental: since the cursor minus the overlap in Paris time, contract ends from two days before', () => {
    const plan = decideUsersRead({ ...base, cursor: cursor('2025-09-09T04:00:00Z', '2025-09-06T04:00:00Z', '2025-12-01T10:00:00Z'), settingsChangedAt: at('2025-12-01T09:00:00Z') });
    expect(plan).toEqual({
      full: false, fullReason: null, readStartedAt: '2025-09-10T04:00:00.000Z', cursorAt: '2025-09-09T04:00:00.000Z',
      modifiedSince: '2025-09-09T05:55:00', // 04:00Z − 5 min = 03:55Z = 05:55 in Paris (CEST)
      endedBetween: { from: '2025-09-07', to: '2025-09-10' },
    });
  });

  it('refuses a bad today or fullReadDays', () => {
    expect(() => decideUsersRead({ ...base, today: '10/09/2025', cursor: undefined })).toThrow(RangeError);
    expect(() => decideUsersRead({ ...base, fullReadDays: -1, cursor: undefined })).toThrow(RangeError);
  });
});

describe('luccaSince: the cursor as Lucca compares it (Paris wall time, DST)', () => {
  it.each([
    // [cursor, now, expected since]
    ['winter: UTC+1', '2025-01-15T05:00:00Z', '2025-01-16T05:00:00Z', '2025-01-15T05:55:00'],
    ['summer: UTC+2', '2025-07-15T05:00:00Z', '2025-07-16T05:00:00Z', '2025-07-15T06:55:00'],
    ['milliseconds truncated, never rounded up', '2025-07-15T05:00:00.999Z', '2025-07-16T05:00:00Z', '2025-07-15T06:55:00'],
    // Spring forward (30 March 2025, 02:00 CET → 03:00 CEST): wall time only jumps ahead; nothing to add.
    ['spring change between cursor and now', '2025-03-29T05:00:00Z', '2025-03-30T05:00:00Z', '2025-03-29T05:55:00'],
    // Autumn (26 October 2025, 03:00 CEST → 02:00 CET): a later change can have an earlier wall time: one hour more.
    ['autumn change between cursor and now', '2025-10-25T05:00:00Z', '2025-10-26T05:00:00Z', '2025-10-25T05:55:00'],
    ['cursor at 02:45 CEST, first pass of the repeated hour', '2025-10-26T00:45:00Z', '2025-10-26T05:00:00Z', '2025-10-26T01:40:00'],
    ['cursor at 02:30 CET, second pass', '2025-10-26T01:30:00Z', '2025-10-26T05:00:00Z', '2025-10-26T02:25:00'],
    ['a cursor months old spans both changes', '2025-03-01T05:00:00Z', '2025-11-01T05:00:00Z', '2025-03-01T05:55:00'],
  ] as const)('%s', (_, c, now, since) => {
    expect(luccaSince(at(c), at(now))).toBe(since);
  });

  it('never skips a change: every instant from cursor − overlap to now has a Paris wall time at or after since', () => {
    // Walk every 10 minutes through both 2025 changes, for cursors taken every 10 minutes around them.
    for (const day of ['2025-03-30', '2025-10-26']) {
      const start = Date.parse(`${day}T00:00:00Z`) - 3 * 3_600_000;
      for (let c = start; c < start + 6 * 3_600_000; c += 10 * 60_000) {
        const now = c + 5 * 3_600_000;
        const since = luccaSince(new Date(c), new Date(now));
        for (let t = c - OVERLAP_MS; t <= now; t += 10 * 60_000) {
          expect(parisWallTime(new Date(t)) >= since, `cursor ${new Date(c).toISOString()}, change ${new Date(t).toISOString()}`).toBe(true);
        }
      }
    }
  });

  it('the repeated hour: naive wall time would skip, ours does not', () => {
    const cursorAt = at('2025-10-26T00:45:00Z'); // 02:45 CEST
    const change = at('2025-10-26T01:30:00Z'); // 02:30 CET, 45 minutes later
    expect(parisWallTime(change) < parisWallTime(new Date(cursorAt.getTime() - OVERLAP_MS))).toBe(true);
    expect(parisWallTime(change) >= luccaSince(cursorAt, at('2025-10-26T06:00:00Z'))).toBe(true);
  });
});

describe('records to re-read, target lookups, cursor moves', () => {
  it('idQueries: numeric ids, sorted, unique, cut in lists', () => {
    expect(idQueries(['12', '3', '3', 'malformed-at-4', '100'], 2)).toEqual(['3,12', '100']);
    expect(idQueries([])).toEqual([]);
  });
  it('targetLookups: links by id, the others by email (once per email, case-insensitively)', () => {
    expect(targetLookups([
      { sourceId: '1', targetId: 'hp_usr_2', email: 'a@x.fr' },
      { sourceId: '2', targetId: null, email: ' B@x.fr' },
      { sourceId: '3', targetId: null, email: 'b@X.fr ' },
      { sourceId: '4', targetId: null, email: null },
      { sourceId: '5', targetId: 'hp_usr_2', email: 'c@x.fr' },
    ])).toEqual({ ids: ['hp_usr_2'], emails: ['B@x.fr'] });
  });
  it('lookUpTargets: one by one up to max(200, pages of a full read)', () => {
    const of = (n: number) => ({ ids: Array.from({ length: n }, (_, i) => `hp_usr_${i}`), emails: [] });
    expect(lookUpTargets(of(0), 0)).toBe(true);
    expect(lookUpTargets(of(200), 10)).toBe(true);
    expect(lookUpTargets(of(201), 10_000)).toBe(false);
    expect(lookUpTargets(of(300), 300_000)).toBe(true);
  });
  it.each([
    [{ status: 'completed', dryRun: false }, true],
    [{ status: 'completed', dryRun: true }, false],
    [{ status: 'blocked', dryRun: false }, false],
    [{ status: 'failed', dryRun: false }, false],
    [{ status: 'cancelled', dryRun: false }, false],
  ])('cursorMoves(%o) = %s', (run, moves) => expect(cursorMoves(run)).toBe(moves));
});
