import { describe, expect, it } from 'vitest';
import { UsageError } from '../../client/errors.js';
import { cadenceFromSpec, describeCadence, parseCadence, specFor } from '../../client/schedule-spec.js';

describe('parseCadence', () => {
  it('defaults to daily at 06:00 Europe/Paris', () => {
    expect(parseCadence({})).toEqual({ kind: 'daily', hour: 6, minute: 0, timezone: 'Europe/Paris' });
  });

  it('reads a time and a zone, and canonicalises the zone spelling', () => {
    expect(parseCadence({ schedule: 'daily', at: '23:59', tz: 'america/new_york' })).toEqual({
      kind: 'daily', hour: 23, minute: 59, timezone: 'America/New_York',
    });
    expect(parseCadence({ at: '7:05', tz: 'UTC' })).toMatchObject({ hour: 7, minute: 5, timezone: 'UTC' });
  });

  it.each(['25:00', '24:00', '12:60', '6', '06:00:00', 'noon', '-1:00', ''])('rejects the time %j with one clear line', (at) => {
    expect(() => parseCadence({ at })).toThrow(UsageError);
    expect(() => parseCadence({ at })).toThrow(/^bad time \(--at\) ".*": expected HH:MM between 00:00 and 23:59/);
  });

  it.each(['Mars/Olympus', 'Europe/Atlantis', '+01:00', 'Paris', '../etc/passwd', ''])('rejects the time zone %j', (tz) => {
    expect(() => parseCadence({ tz })).toThrow(/^bad time zone \(--tz\) ".*": expected an IANA time zone/);
  });

  it('every-4h takes no time or zone', () => {
    expect(parseCadence({ schedule: 'every-4h' })).toEqual({ kind: 'every-4h' });
    expect(() => parseCadence({ schedule: 'every-4h', at: '06:00' })).toThrow(/only apply to a daily schedule/);
    expect(() => parseCadence({ schedule: 'hourly' })).toThrow(/^bad --schedule "hourly"/);
  });
});

describe('spec round trip', () => {
  it('daily → calendar at hour/minute in the zone; every-4h → a 4 h interval', () => {
    expect(specFor({ kind: 'daily', hour: 6, minute: 30, timezone: 'Europe/Paris' })).toMatchObject({
      calendars: [{ hour: 6, minute: 30 }], timezone: 'Europe/Paris',
    });
    expect(specFor({ kind: 'every-4h' })).toEqual({ intervals: [{ every: '4h' }] });
  });

  it('reads the cadence back from a described spec', () => {
    const range = (n: number) => [{ start: n, end: n, step: 1 }];
    const calendar = { second: range(0), minute: range(30), hour: range(6), dayOfMonth: [], month: [], year: [], dayOfWeek: [] };
    expect(cadenceFromSpec({ calendars: [calendar], timezone: 'Europe/Paris' })).toEqual({ kind: 'daily', hour: 6, minute: 30, timezone: 'Europe/Paris' });
    expect(cadenceFromSpec({ intervals: [{ every: 4 * 3600_000, offset: 0 }] })).toEqual({ kind: 'every-4h' });
    expect(cadenceFromSpec({ intervals: [{ every: 3600_000, offset: 0 }] })).toBeNull();
  });

  it('describes a cadence for people', () => {
    expect(describeCadence({ kind: 'daily', hour: 6, minute: 0, timezone: 'Europe/Paris' })).toBe('daily at 06:00 (Europe/Paris)');
    expect(describeCadence({ kind: 'every-4h' })).toBe('every 4 hours');
  });
});
