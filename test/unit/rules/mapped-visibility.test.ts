/**
 * "Unknown is not empty" for mapped attributes (rules/mapped-visibility.ts): what counts as evidence,
 * when an attribute is hidden run-wide, how hidden attributes leave a record's values, and the note.
 */
import { describe, expect, it } from 'vitest';
import { FieldMappingSchema } from '../../../rules/field-mapping.js';
import {
  addMappedEvidence, emptyMappedEvidence, hiddenMappings, mappedNotVisibleNote, sourcePath, withHiddenMappings,
} from '../../../rules/mapped-visibility.js';

const college = FieldMappingSchema.parse({ source: 'extendedData.e_cse_college', target: 'cse_college', type: 'text' });
const team = FieldMappingSchema.parse({ source: 'department.name', target: 'team', type: 'text' });
const cost = FieldMappingSchema.parse({ source: 'axis.1', target: 'cost_center', type: 'text' });
const job = FieldMappingSchema.parse({ source: 'jobTitle', target: 'job', type: 'text' });
const MAPPINGS = [college, team, cost, job];
const had = { 'attr.cse_college': 'cadres', 'attr.team': 'Ventes', 'attr.cost_center': 'CC-100', 'attr.job': 'Chef' };

describe('addMappedEvidence: one record', () => {
  it.each([
    ['a value', { extendedData: { e_cse_college: { id: 1, value: 'Cadres' } } }, had, { valued: 1, cleared: 0 }],
    ['null, snapshot holds a value', { extendedData: { e_cse_college: { id: 1, value: null } } }, had, { valued: 0, cleared: 1 }],
    ['null, no snapshot (first sync)', { extendedData: { e_cse_college: { id: 1, value: null } } }, undefined, { valued: 0, cleared: 0 }],
    ['null, snapshot empty too', { extendedData: { e_cse_college: { id: 1, value: null } } }, { 'attr.cse_college': null }, { valued: 0, cleared: 0 }],
    ['left out of extendedData (section not granted)', { extendedData: {} }, had, { valued: 0, cleared: 0 }],
    ['no extendedData at all', { id: 1 }, had, { valued: 0, cleared: 0 }],
    ['a bare value (no { id, value } wrapper)', { extendedData: { e_cse_college: 'Cadres' } }, had, { valued: 1, cleared: 0 }],
  ])('%s', (_, raw, snapshot, expected) => {
    const evidence = emptyMappedEvidence([college]);
    addMappedEvidence(evidence, raw, snapshot, [college]);
    expect(evidence.cse_college).toEqual(expected);
  });

  it.each([
    ['department: null with a snapshot value counts as cleared', { department: null }, 'team', { valued: 0, cleared: 1 }],
    ['department left out counts for nothing', { id: 1 }, 'team', { valued: 0, cleared: 0 }],
    ['department.name', { department: { id: 1, name: 'Ventes' } }, 'team', { valued: 1, cleared: 0 }],
    ['an axis section', { userAxisValues_1: { id: 500, name: 'CC-100' } }, 'cost_center', { valued: 1, cleared: 0 }],
    ['an axis served null', { userAxisValues_1: null }, 'cost_center', { valued: 0, cleared: 1 }],
    ['a core property served null', { jobTitle: null }, 'job', { valued: 0, cleared: 1 }],
  ])('%s', (_, raw, target, expected) => {
    const evidence = emptyMappedEvidence(MAPPINGS);
    addMappedEvidence(evidence, raw, had, MAPPINGS);
    expect(evidence[target]).toEqual(expected);
  });
});

describe('hiddenMappings: hidden run-wide', () => {
  it.each([
    ['no value and two cleared: hidden', { valued: 0, cleared: 2 }, true],
    ['no value and many cleared: hidden', { valued: 0, cleared: 40 }, true],
    ['one cleared (a real clear in Lucca): visible', { valued: 0, cleared: 1 }, false],
    ['anyone with a value: visible', { valued: 1, cleared: 40 }, false],
    ['nothing at all (a first sync, or left out): not hidden run-wide', { valued: 0, cleared: 0 }, false],
  ])('%s', (_, e, hidden) => {
    expect(hiddenMappings({ cse_college: e, team: { valued: 3, cleared: 0 } })).toEqual(hidden ? ['cse_college'] : []);
  });

  it('a read where the key serves the section null for everyone we had synced', () => {
    const evidence = emptyMappedEvidence([college]);
    for (let i = 0; i < 5; i += 1) addMappedEvidence(evidence, { extendedData: { e_cse_college: { id: i, value: null } } }, had, [college]);
    addMappedEvidence(evidence, { extendedData: { e_cse_college: { id: 9, value: null } } }, undefined, [college]); // a new hire
    expect(evidence.cse_college).toEqual({ valued: 0, cleared: 5 });
    expect(hiddenMappings(evidence)).toEqual(['cse_college']);
  });
});

describe('withHiddenMappings', () => {
  it.each([
    ['nothing hidden: unchanged', [], { values: { cse_college: null, team: 'Ventes' }, unknown: ['job'], misfits: [] }],
    ['a hidden attribute leaves the values and becomes unknown', ['cse_college'], { values: { team: 'Ventes' }, unknown: ['job', 'cse_college'], misfits: [] }],
    ['already unknown: listed once', ['job'], { values: { cse_college: null, team: 'Ventes' }, unknown: ['job'], misfits: [] }],
  ])('%s', (_, hidden, expected) => {
    expect(withHiddenMappings({ values: { cse_college: null, team: 'Ventes' }, unknown: ['job'], misfits: [] }, hidden)).toEqual(expected);
  });

  it('a misfit of a hidden attribute does not quarantine the record', () => {
    expect(withHiddenMappings({ values: {}, unknown: [], misfits: [{ target: 'cse_college', message: 'm' }] }, ['cse_college']).misfits).toEqual([]);
  });
});

describe('sourcePath (the database count reads the same place as readSource)', () => {
  it.each([
    ['extendedData.e_cse_college', { path: ['extendedData', 'e_cse_college'], unwrap: 'value' }],
    ['axis.1', { path: ['userAxisValues_1'], unwrap: 'name' }],
    ['department.name', { path: ['department'], unwrap: 'name' }],
    ['jobTitle', { path: ['jobTitle'], unwrap: null }],
    ['birthDate', null],
  ])('%s', (source, expected) => expect(sourcePath(source)).toEqual(expected));
});

describe('mappedNotVisibleNote', () => {
  it('says how many, why, that nothing was written, and what to grant in Lucca\'s words; null when all was visible', () => {
    expect(mappedNotVisibleNote(MAPPINGS, new Map(), [], 'HappyPal')).toBeNull();
    expect(mappedNotVisibleNote(MAPPINGS, new Map([['cse_college', 0]]), [], 'HappyPal')).toBeNull();
    const note = mappedNotVisibleNote(MAPPINGS, new Map([['cse_college', 3], ['team', 2]]), ['team'], 'Reflect');
    expect(note).toBe(
      'custom attribute cse_college (extendedData.e_cse_college) was not visible to the Lucca key for 3 employee(s); nothing was written for it ' +
      'and Reflect keeps its value (left out by Lucca). To sync it, grant the key\'s role "Consult HR files" › select the relevant section (the one holding e_cse_college). ' +
      'custom attribute team (department.name) was not visible to the Lucca key for 2 employee(s); nothing was written for it ' +
      'and Reflect keeps its value (null for everyone read, while we had synced values). To sync it, grant the key\'s role "Consult users".',
    );
  });
});
