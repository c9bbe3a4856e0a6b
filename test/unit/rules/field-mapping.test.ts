/** Extra field mappings (issue 20): sources, transforms, types and misfits of rules/field-mapping.ts. */
import { describe, expect, it } from 'vitest';
import {
  FieldMappingSchema, FieldMappingsSchema, luccaFieldsFor, mapExtras, mapValue, readSource, type FieldMappingInput,
} from '../../../rules/field-mapping.js';

const m = (input: Partial<FieldMappingInput>) => FieldMappingSchema.parse({ source: 'extendedData.e_x', target: 'x', type: 'text', ...input });

describe('the configuration format', () => {
  it.each([
    [{ source: 'extendedData.e_cse_college', target: 'cse_college', type: 'text' }, true],
    [{ source: 'axis.2', target: 'cost_center', type: 'text' }, true],
    [{ source: 'department.name', target: 'team', type: 'text', policy: 'review' }, true],
    [{ source: 'extendedData.college', target: 'x', type: 'text' }, false], // no e_ prefix
    [{ source: 'birthDate', target: 'x', type: 'text' }, false], // not a mappable source
    [{ source: 'department.name', target: 'Team', type: 'text' }, false], // target must be lower-case
    [{ source: 'department.name', target: 'team', type: 'enum' }, false], // enum without values
    [{ source: 'department.name', target: 'team', type: 'text', values: ['a'] }, false],
    [{ source: 'department.name', target: 'team', type: 'text', transforms: [{ kind: 'upper-case' }] }, false], // closed list
    [{ source: 'department.name', target: 'team', type: 'text', color: 'red' }, false], // strict
  ])('%j valid: %s', (input, ok) => expect(FieldMappingSchema.safeParse(input).success).toBe(ok));

  it('a target mapped twice is refused', () => {
    const r = FieldMappingsSchema.safeParse([m({ target: 'a' }), m({ target: 'a', source: 'jobTitle' })]);
    expect(r.success).toBe(false);
  });

  it('Lucca is asked for exactly the fields the mappings read', () => {
    expect(luccaFieldsFor([m({}), m({ target: 'y', source: 'extendedData.e_y' }), m({ target: 'z', source: 'axis.3' }), m({ target: 'w', source: 'department.name' })]))
      .toEqual(['extendedData', 'userAxisValues_3[id,name]', 'department[id,name]']);
  });
});

describe('readSource: absent is not visible, null is empty', () => {
  it.each([
    [{ extendedData: { e_x: { id: 4, value: 'A' } } }, 'extendedData.e_x', { visible: true, value: 'A' }],
    [{ extendedData: { e_x: { id: 4, value: null } } }, 'extendedData.e_x', { visible: true, value: null }],
    [{ extendedData: {} }, 'extendedData.e_x', { visible: false }], // the section is not granted
    [{ id: 1 }, 'extendedData.e_x', { visible: false }],
    [{ extendedData: null }, 'extendedData.e_x', { visible: false }],
    [{ department: { id: 1, name: 'Ventes' } }, 'department.name', { visible: true, value: 'Ventes' }],
    [{ department: null }, 'department.name', { visible: true, value: null }],
    [{}, 'department.name', { visible: false }],
    [{ userAxisValues_2: { id: 9, name: 'CC-42' } }, 'axis.2', { visible: true, value: 'CC-42' }],
    [{ jobTitle: 'Chef' }, 'jobTitle', { visible: true, value: 'Chef' }],
  ])('%j %s → %j', (raw, source, expected) => expect(readSource(raw, source)).toEqual(expected));

  it('inherited properties are never read', () => {
    const raw = Object.create({ extendedData: { e_x: { value: 'A' } } });
    expect(readSource(raw, 'extendedData.e_x')).toEqual({ visible: false });
  });
});

describe('mapValue: each transform, each type, and misfits', () => {
  const cases: [string, Partial<FieldMappingInput>, unknown, unknown][] = [
    ['trim', { transforms: [{ kind: 'trim' }] }, '  Cadres  ', { ok: true, value: 'Cadres' }],
    ['lower-case', { transforms: [{ kind: 'lower-case' }] }, 'CaDRES', { ok: true, value: 'cadres' }],
    ['date-only on a Lucca date-time', { type: 'date', transforms: [{ kind: 'date-only' }] }, '2016-09-01T00:00:00', { ok: true, value: '2016-09-01' }],
    ['date-only on text: misfit', { type: 'date', transforms: [{ kind: 'date-only' }] }, 'soon', { ok: false }],
    ['date without date-only: a date-time is not a date', { type: 'date' }, '2016-09-01T00:00:00', { ok: false }],
    ['date: text where a date is expected', { type: 'date' }, 'not a date', { ok: false }],
    ['date: impossible day', { type: 'date' }, '2023-02-30', { ok: false }],
    ['date: a real one', { type: 'date' }, '2024-02-29', { ok: true, value: '2024-02-29' }],
    ['number from a number', { type: 'number' }, 84, { ok: true, value: '84' }],
    ['number from digits', { type: 'number' }, ' 12.50 ', { ok: true, value: '12.5' }],
    ['number: text', { type: 'number' }, 'twelve', { ok: false }],
    ['enum: listed', { type: 'enum', values: ['cadre', 'non-cadre'] }, 'cadre', { ok: true, value: 'cadre' }],
    ['enum: not listed', { type: 'enum', values: ['cadre', 'non-cadre'] }, 'ETAM', { ok: false }],
    ['value-map then enum', { type: 'enum', values: ['cadre', 'non-cadre'], transforms: [{ kind: 'value-map', map: { '84': 'cadre', '85': 'non-cadre' } }] }, 84, { ok: true, value: 'cadre' }],
    ['value-map: unlisted value is a misfit by default', { transforms: [{ kind: 'value-map', map: { a: 'b' } }] }, 'z', { ok: false }],
    ['value-map: otherwise keep', { transforms: [{ kind: 'value-map', map: { a: 'b' }, otherwise: 'keep' }] }, 'z', { ok: true, value: 'z' }],
    ['transforms run in order', { transforms: [{ kind: 'trim' }, { kind: 'lower-case' }, { kind: 'value-map', map: { oui: 'yes' } }] }, ' OUI ', { ok: true, value: 'yes' }],
    ['null stays null (an empty value)', { type: 'date' }, null, { ok: true, value: null }],
    ['blank after trim is empty', { transforms: [{ kind: 'trim' }] }, '   ', { ok: true, value: null }],
    ['text with a control character', {}, 'a\u0000b', { ok: false }],
    ['several values', {}, [{ id: 1, value: 'a' }], { ok: false }],
    ['a composite value', {}, { street: 'x' }, { ok: false }],
  ];
  it.each(cases)('%s', (_name, mapping, raw, expected) => {
    expect(mapValue(m(mapping), raw)).toMatchObject(expected as object);
  });

  it('a misfit message names the attribute and the rule, never the value', () => {
    const r = mapValue(m({ type: 'date', target: 'badge_date', source: 'extendedData.e_badge' }), 'Jean-Pierre Secret');
    expect(r).toMatchObject({ ok: false });
    const message = (r as { message: string }).message;
    expect(message).toContain('badge_date');
    expect(message).toContain('expects a date');
    expect(message).not.toContain('Jean-Pierre');
  });
});

describe('mapExtras', () => {
  it('splits a record into values, unknown (not visible) and misfits', () => {
    const mappings = [
      m({ target: 'college', source: 'extendedData.e_college' }),
      m({ target: 'badge', source: 'extendedData.e_badge', type: 'date' }),
      m({ target: 'team', source: 'department.name' }),
    ];
    const r = mapExtras({ extendedData: { e_badge: { id: 1, value: 'garbage' } }, department: { id: 3, name: 'Ventes' } }, mappings);
    expect(r).toEqual({
      values: { team: 'Ventes' },
      unknown: ['college'],
      misfits: [{ target: 'badge', message: expect.stringContaining('expects a date') }],
    });
  });
});
