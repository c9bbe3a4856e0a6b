import { describe, expect, it } from 'vitest';
import { judgeAccess, judgeExtras, lessAccess } from '../../services/lucca-check.js';
import { FieldMappingSchema } from '../../rules/field-mapping.js';
import { resolveScope } from '../../rules/scope.js';

const full = { id: 1, firstName: 'A', lastName: 'B', mail: 'a@b.fr', birthDate: '1990-01-01', dtContractStart: '2020-01-01', dtContractEnd: null };

describe('judgeAccess', () => {
  it('a key that sees the six fields and former employees is usable', () => {
    const result = judgeAccess([full], [{ id: 1, dtContractEnd: null }, { id: 2, dtContractEnd: '2024-01-31' }], '2025-09-01');
    expect(result.usable).toBe(true);
    expect(result.lines.map((l) => l.level)).not.toContain('fail');
    expect(result.lines.some((l) => l.text.includes('Former employees are visible (1 seen)'))).toBe(true);
  });

  it('a missing birth date names the Lucca permission to grant', () => {
    const { birthDate: _dropped, ...noBirth } = full;
    const result = judgeAccess([noBirth], [{ id: 1, dtContractEnd: '2024-01-31' }], '2025-09-01');
    expect(result.usable).toBe(false);
    expect(result.lines).toContainEqual({ level: 'fail', text: expect.stringContaining("lacks 'Consult HR files'") });
  });

  it('a birth date served as null for everyone sampled is a warning naming the permission', () => {
    const result = judgeAccess([{ ...full, birthDate: null }, { ...full, id: 2, birthDate: null }], [{ id: 1, dtContractEnd: '2024-01-31' }], '2025-09-01');
    expect(result.usable).toBe(true);
    expect(result.lines).toContainEqual({ level: 'warn', text: expect.stringContaining('"Consult HR files" › the section holding the birth date') });
    expect(judgeAccess([full, { ...full, id: 2, birthDate: null }], [], '2025-09-01').lines.some((l) => l.text.includes('empty for every'))).toBe(false);
  });

  it('no former employee seen is a warning, not a failure', () => {
    const result = judgeAccess([full], [{ id: 1, dtContractEnd: '2030-01-01' }], '2025-09-01');
    expect(result.usable).toBe(true);
    expect(result.lines).toContainEqual({ level: 'warn', text: expect.stringContaining("grant 'See former employees'") });
  });

  it('a key that sees nobody is not usable; no personal value is ever printed', () => {
    expect(judgeAccess([], [], '2025-09-01').usable).toBe(false);
    const text = judgeAccess([full], [full], '2025-09-01').lines.map((l) => l.text).join('\n');
    expect(text).not.toContain('a@b.fr');
    expect(text).not.toContain('1990-01-01');
  });
});

describe('lessAccess (a new key compared with the current one)', () => {
  const current = { fields: ['firstName', 'lastName', 'mail', 'birthDate'], former: 4, total: 100 };
  it.each([
    ['the same access', current, []],
    ['more people, more former employees', { ...current, former: 9, total: 120 }, []],
    ['a few people fewer (within 10 %)', { ...current, total: 91 }, []],
    ['a hidden field', { ...current, fields: ['firstName', 'lastName', 'mail'] }, ['field birthDate hidden']],
    ['no former employee', { ...current, former: 0 }, ['no former employee (the current key sees 4)']],
    ['far fewer people', { ...current, total: 60 }, ['60 employee(s) instead of 100']],
  ] as const)('%s', (_label, next, expected) => {
    expect(lessAccess(current, { ...next, fields: [...next.fields] })).toEqual(expected);
  });

  it('judgeAccess reports what the key sees, counts and field names only', () => {
    const seen = judgeAccess([full], [{ id: 1, dtContractEnd: null }, { id: 2, dtContractEnd: '2024-01-31' }], '2025-09-01').seen;
    expect(seen).toEqual({ fields: ['firstName', 'lastName', 'mail', 'birthDate', 'dtContractStart', 'dtContractEnd'], former: 1, total: 2 });
  });
});

describe('judgeExtras: the scope\'s org data and mapped fields, in the words of Lucca\'s screens', () => {
  const mapping = FieldMappingSchema.parse({ source: 'extendedData.e_cse_college', target: 'cse_college', type: 'text' });
  const scope = resolveScope({ include: { departments: [100] } }, { legalEntities: [], establishments: [], departments: [{ id: 100, name: 'Ventes' }] });

  it('a section the role lacks is a FAIL naming "Consult HR files" → select the section', () => {
    const lines = judgeExtras([{ id: 1, extendedData: {} }, { id: 2, extendedData: {} }], null, [mapping]);
    expect(lines).toEqual([{ level: 'fail', text: expect.stringMatching(/not visible to the key: .*Co-workers tab, "Consult HR files" → select the relevant section \(the one holding e_cse_college\)/) }]);
  });

  it('visible for some only is a warning; visible and valued is ok; visible but empty for all is a warning', () => {
    expect(judgeExtras([{ id: 1, extendedData: { e_cse_college: { id: 1, value: 'A' } } }, { id: 2, extendedData: {} }], null, [mapping])[0]?.level).toBe('warn');
    expect(judgeExtras([{ id: 1, extendedData: { e_cse_college: { id: 1, value: 'A' } } }], null, [mapping])[0]?.level).toBe('ok');
    expect(judgeExtras([{ id: 1, extendedData: { e_cse_college: { id: 1, value: null } } }], null, [mapping])[0]?.level).toBe('warn');
  });

  it('a scope dimension the key never shows is a FAIL; everyone has it: ok', () => {
    expect(judgeExtras([{ id: 1 }, { id: 2 }], scope, [])[0]).toMatchObject({ level: 'fail', text: expect.stringContaining('sees no employee\'s department') });
    expect(judgeExtras([{ id: 1, departmentId: 100 }], scope, [])[0]?.level).toBe('ok');
  });

  it('no value ever appears in a line', () => {
    const text = judgeExtras([{ id: 1, extendedData: { e_cse_college: { id: 1, value: 'Secret-Value' } } }], null, [mapping]).map((l) => l.text).join(' ');
    expect(text).not.toContain('Secret-Value');
  });
});
