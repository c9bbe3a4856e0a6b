import { describe, expect, it } from 'vitest';
import { mapLuccaUser } from '../../../rules/map-lucca-user.js';

const TODAY = '2025-06-15';
const user = (over: Record<string, unknown> = {}) => ({
  id: 416, name: 'Doe John', firstName: ' John ', lastName: 'DOE', mail: ' John.Doe@Example.COM',
  birthDate: '1989-12-22T00:00:00', dtContractStart: '2014-09-01T00:00:00', dtContractEnd: null,
  modifiedAt: '2015-09-07T10:20:06.583', ...over,
});

function reasonsOf(raw: unknown) {
  const r = mapLuccaUser(raw, TODAY);
  if (r.ok) throw new Error('expected a quarantine');
  return r;
}
const PII = ['John', 'DOE', 'Doe', 'john.doe', '1989', '2014', '2099', 'Example'];
function expectNoPii(raw: unknown) {
  for (const reason of reasonsOf(raw).reasons) for (const v of PII) expect(reason.message).not.toContain(v);
}

describe('mapLuccaUser: valid records', () => {
  it('maps and normalises a v3 user', () => {
    expect(mapLuccaUser(user(), TODAY)).toEqual({
      ok: true, sourceId: '416', modifiedAt: '2015-09-07T10:20:06.583',
      person: { firstName: 'John', lastName: 'DOE', email: 'john.doe@example.com', birthDate: '1989-12-22', contractStart: '2014-09-01', contractEnd: null },
      unknown: [],
    });
  });
  it('birthDate key absent (no HR-file permission) → unknown, not empty and not a quarantine', () => {
    const { birthDate: _, ...noBirth } = user();
    const r = mapLuccaUser(noBirth, TODAY);
    expect(r.ok && r.unknown).toEqual(['birthDate']);
  });
  it('birthDate served as null (another way Lucca hides it) → a plain null for the record: only the run can tell (visibility.ts)', () => {
    const r = mapLuccaUser(user({ birthDate: null }), TODAY);
    expect(r.ok && [r.person.birthDate, r.unknown]).toEqual([null, []]);
  });
  it('every hideable key left out → all three unknown; names and email left out → quarantined as missing', () => {
    const { birthDate: _b, dtContractStart: _s, dtContractEnd: _e, ...rest } = user();
    const r = mapLuccaUser(rest, TODAY);
    expect(r.ok && r.unknown).toEqual(['birthDate', 'contractStart', 'contractEnd']);
    const { mail: _m, ...noMail } = user();
    const q = mapLuccaUser(noMail, TODAY);
    expect(!q.ok && q.reasons.map((x) => x.code)).toEqual(['missing_email']);
  });
  it('reads modifiedOn when modifiedAt is absent, and prefers modifiedAt when both exist', () => {
    const { modifiedAt: _, ...rest } = user();
    const r1 = mapLuccaUser({ ...rest, modifiedOn: '2020-01-01T00:00:00' }, TODAY);
    expect(r1.ok && r1.modifiedAt).toBe('2020-01-01T00:00:00');
    const r2 = mapLuccaUser(user({ modifiedOn: '2020-01-01T00:00:00' }), TODAY);
    expect(r2.ok && r2.modifiedAt).toBe('2015-09-07T10:20:06.583');
    const r3 = mapLuccaUser(rest, TODAY);
    expect(r3.ok && r3.modifiedAt).toBeNull();
  });
  it('accepts a contract ending on its start day, a birth date of today, and a future starter', () => {
    expect(mapLuccaUser(user({ dtContractStart: '2025-01-01T00:00:00', dtContractEnd: '2025-01-01T00:00:00' }), TODAY).ok).toBe(true);
    expect(mapLuccaUser(user({ birthDate: `${TODAY}T00:00:00` }), TODAY).ok).toBe(true);
    expect(mapLuccaUser(user({ dtContractStart: '2026-01-01T00:00:00' }), TODAY).ok).toBe(true);
  });
  it('accepts Unicode names and emails', () => {
    const r = mapLuccaUser(user({ firstName: 'Hélène', lastName: 'Ngũgĩ', mail: 'hélène@exämple.fr' }), TODAY);
    expect(r.ok && r.person).toMatchObject({ firstName: 'Hélène', lastName: 'Ngũgĩ', email: 'hélène@exämple.fr' });
  });
  it('throws on a bad `today` (a programming error, not a bad record)', () => {
    expect(() => mapLuccaUser(user(), '15/06/2025')).toThrow(RangeError);
  });
});

describe('mapLuccaUser: quarantine reasons', () => {
  it.each<[string, unknown, string, string | undefined]>([
    ['missing first name', user({ firstName: '  ' }), 'missing_first_name', 'firstName'],
    ['null first name', user({ firstName: null }), 'missing_first_name', 'firstName'],
    ['missing last name', user({ lastName: undefined }), 'missing_last_name', 'lastName'],
    ['missing email', user({ mail: null }), 'missing_email', 'email'],
    ['empty email', user({ mail: ' ' }), 'missing_email', 'email'],
    ['invalid email', user({ mail: 'john.doe@' }), 'invalid_email', 'email'],
    ['email without domain dot', user({ mail: 'john@localhost' }), 'invalid_email', 'email'],
    ['email with a space', user({ mail: 'john doe@example.com' }), 'invalid_email', 'email'],
    ['email with two @', user({ mail: 'a@b@example.com' }), 'invalid_email', 'email'],
    ['email with double dot', user({ mail: 'john..doe@example.com' }), 'invalid_email', 'email'],
    ['impossible birth date', user({ birthDate: '1989-02-30T00:00:00' }), 'impossible_date', 'birthDate'],
    ['birth date before 1900', user({ birthDate: '0001-01-01T00:00:00' }), 'impossible_date', 'birthDate'],
    ['impossible contract start', user({ dtContractStart: '2023-13-01T00:00:00' }), 'impossible_date', 'contractStart'],
    ['impossible contract end', user({ dtContractEnd: 'never' }), 'impossible_date', 'contractEnd'],
    ['birth date in the future', user({ birthDate: '2099-01-01T00:00:00' }), 'birth_date_in_future', 'birthDate'],
    ['contract end before start', user({ dtContractEnd: '2014-08-31T00:00:00' }), 'contract_end_before_start', 'contractEnd'],
    ['control character in a name', user({ firstName: 'Jo\u0000hn' }), 'invalid_characters', 'firstName'],
    ['tab inside a name', user({ lastName: 'DO\tE' }), 'invalid_characters', 'lastName'],
    ['bidi override in a name', user({ lastName: 'DOE\u202Egnp.exe' }), 'invalid_characters', 'lastName'],
    ['not an object', 'a string', 'malformed_record', undefined],
    ['null', null, 'malformed_record', undefined],
    ['an array', [user()], 'malformed_record', undefined],
    ['no id', user({ id: undefined }), 'malformed_record', 'id'],
    ['string id', user({ id: '416' }), 'malformed_record', 'id'],
    ['fractional id', user({ id: 4.5 }), 'malformed_record', 'id'],
    ['wrong type for a name', user({ firstName: 42 }), 'malformed_record', 'firstName'],
    ['wrong type for a date', user({ birthDate: 19891222 }), 'malformed_record', 'birthDate'],
  ])('%s', (_name, raw, code, field) => {
    const r = reasonsOf(raw);
    expect(r.reasons).toContainEqual(expect.objectContaining({ code, ...(field ? { field } : {}) }));
    expectNoPii(raw);
  });

  it('keeps the sourceId when the id is valid, null otherwise', () => {
    expect(reasonsOf(user({ mail: 'x' })).sourceId).toBe('416');
    expect(reasonsOf(user({ id: null })).sourceId).toBeNull();
  });
  it('lists every problem of a record, not just the first', () => {
    const codes = reasonsOf(user({ firstName: '', mail: 'nope', dtContractEnd: '2000-01-01T00:00:00' })).reasons.map((r) => r.code);
    expect(codes).toEqual(['missing_first_name', 'invalid_email', 'contract_end_before_start']);
  });
  it('the invalid_email message is PII-free', () => {
    expect(reasonsOf(user({ mail: 'john.doe@' })).reasons[0]?.message).toBe('professional email is not a valid address');
  });
});

describe('mapLuccaUser: hardening', () => {
  it('a __proto__ payload does not pollute Object.prototype and is ignored', () => {
    const raw = JSON.parse(
      '{"id":1,"firstName":"A","lastName":"B","mail":"a@b.fr","__proto__":{"polluted":"yes","firstName":"Evil"},' +
        '"constructor":{"prototype":{"polluted2":"yes"}},"prototype":{"x":1}}',
    );
    const r = mapLuccaUser(raw, TODAY);
    expect(r.ok && r.person.firstName).toBe('A');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted2).toBeUndefined();
    expect(r.ok && Object.keys(r.person)).toEqual(['firstName', 'lastName', 'email', 'birthDate', 'contractStart', 'contractEnd']);
  });
  it('inherited properties are not read', () => {
    const proto = { firstName: 'Inherited' };
    const raw = Object.assign(Object.create(proto), { id: 2, lastName: 'B', mail: 'a@b.fr' });
    expect(reasonsOf(raw).reasons.map((r) => r.code)).toEqual(['missing_first_name']);
  });
  it('a throwing getter quarantines the record instead of failing the run', () => {
    const raw = { id: 3, lastName: 'B', mail: 'a@b.fr', get firstName(): string { throw new Error('boom'); } };
    expect(reasonsOf(raw).reasons[0]?.code).toBe('malformed_record');
  });
  it('unknown keys never reach the person', () => {
    const r = mapLuccaUser(user({ extendedData: { e_x: 1 }, isAdmin: true }), TODAY);
    expect(r.ok && Object.keys(r.person)).toHaveLength(6);
  });
});
