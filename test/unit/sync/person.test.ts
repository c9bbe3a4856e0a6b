import { describe, expect, it } from 'vitest';
import {
  InvalidDateError, PersonSchema, SYNCED_FIELDS, isValidIsoDate, luccaDate, normaliseEmail, normaliseName, parseLuccaDate, sameValue,
} from '../../../rules/person.js';

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => expect(normaliseEmail('  Jean.Dupont@Example.FR \n')).toBe('jean.dupont@example.fr'));
  it('composes to NFC', () => expect(normaliseEmail('JOSE\u0301@x.fr')).toBe('jos\u00e9@x.fr'));
});

describe('normaliseName', () => {
  it('trims and collapses inner whitespace, including non-breaking spaces', () => {
    expect(normaliseName('  Jean \u00a0  Pierre ')).toBe('Jean Pierre');
  });
  it('keeps case and accents, composes to NFC', () => {
    expect(normaliseName('He\u0301le\u0300ne DUPONT')).toBe('H\u00e9l\u00e8ne DUPONT');
  });
});

describe('luccaDate', () => {
  it.each([
    ['1989-12-22T00:00:00', '1989-12-22'],
    ['2015-09-07T10:20:06.583', '2015-09-07'],
    ['2014-09-01T00:00:00Z', '2014-09-01'],
    ['2014-09-01T00:00:00.000Z', '2014-09-01'],
    ['2014-09-01', '2014-09-01'],
    ['2024-02-29T00:00:00', '2024-02-29'],
    ['2000-02-29T00:00:00', '2000-02-29'],
    // Instants (`Z` or an offset) are converted to the Europe/Paris day, across DST changes.
    ['2024-03-31T22:30:00Z', '2024-04-01'], // CEST (+02:00): 00:30 on 1 April in Paris
    ['2024-03-30T22:30:00Z', '2024-03-30'], // still CET (+01:00): 23:30 on 30 March
    ['2024-03-30T23:30:00Z', '2024-03-31'], // CET: 00:30 on 31 March (DST starts that night)
    ['2024-10-26T22:30:00Z', '2024-10-27'], // CEST: 00:30 on 27 October
    ['2024-10-27T22:30:00Z', '2024-10-27'], // CET again: 23:30 on 27 October
    ['2024-12-31T23:00:00Z', '2025-01-01'],
    ['2024-04-01T00:00:00+02:00', '2024-04-01'],
    ['2024-04-01T00:00:00+0200', '2024-04-01'],
    ['2024-04-01T00:00:00-05:00', '2024-04-01'], // 07:00 Paris
    ['2024-04-01T23:00:00-05:00', '2024-04-02'], // 06:00 Paris the next day
    ['2024-01-15T00:00:00+01:00', '2024-01-15'],
    ['2024-01-14T23:00:00.000Z', '2024-01-15'],
    ['2023-11-07T05:31:56Z', '2023-11-07'], // Lucca's expense-claim sample
    ['2024-04-01T00:00:00.1234567Z', '2024-04-01'], // .NET ticks: seven fractional digits
    ['2024-04-01T00:00:00', '2024-04-01'],
    ['2024-04-01T23:59:59.999', '2024-04-01'], // no offset: Paris local, as written
    ['2024-04-01T00:00', '2024-04-01'],
  ])('%s → %s', (input, out) => expect(luccaDate(input)).toBe(out));

  it('null stays null', () => expect(luccaDate(null)).toBeNull());

  it.each(['2023-02-30T00:00:00', '2023-02-29T00:00:00', '1900-02-29T00:00:00', '2023-13-01T00:00:00', '2023-04-31T00:00:00',
    '2023-00-10T00:00:00', '2023-01-00T00:00:00', '2023-01-01T25:00:00', '2023-01-01T00:00:00+19:00', '2023-01-01T00:00:00+01:60',
    '2023-02-29T00:00:00Z', '2023-01-01Z', '2023-01-01T00:00:00 +01:00', '22/12/1989', '', 'soon'])(
    'rejects %j without echoing the value',
    (input) => {
      expect(parseLuccaDate(input).ok).toBe(false);
      expect(() => luccaDate(input)).toThrow(InvalidDateError);
      try { luccaDate(input); } catch (e) { if (input) expect((e as Error).message).not.toContain(input); }
    },
  );
});

describe('isValidIsoDate', () => {
  it('accepts real days and rejects impossible ones', () => {
    expect(isValidIsoDate('2024-02-29')).toBe(true);
    expect(isValidIsoDate('2023-02-29')).toBe(false);
    expect(isValidIsoDate('2024-2-29')).toBe(false);
  });
});

describe('PersonSchema and sameValue', () => {
  it('lists the six synced fields in order', () => {
    expect(SYNCED_FIELDS).toEqual(['firstName', 'lastName', 'email', 'birthDate', 'contractStart', 'contractEnd']);
  });
  it('parses a person and rejects an impossible date', () => {
    const p = { firstName: 'A', lastName: 'B', email: 'a@b.fr', birthDate: null, contractStart: '2020-01-01', contractEnd: null };
    expect(PersonSchema.parse(p)).toEqual(p);
    expect(PersonSchema.safeParse({ ...p, contractStart: '2020-02-30' }).success).toBe(false);
  });
  it('compares per field', () => {
    expect(sameValue('email', ' A@X.FR', 'a@x.fr')).toBe(true);
    expect(sameValue('lastName', 'DUPONT', 'Dupont')).toBe(false);
    expect(sameValue('birthDate', null, null)).toBe(true);
    expect(sameValue('birthDate', null, '2020-01-01')).toBe(false);
  });
});
