/**
 * The database count of mapped-attribute evidence (db/queries/visibility.ts mappedEvidence) on real
 * PostgreSQL equals its pure reference (rules/mapped-visibility.ts addMappedEvidence), record shape by
 * record shape: left out, `null`, a value, with and without a snapshot value.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { snapshots, stagedRecords, syncRuns } from '../../db/schema.js';
import { mappedEvidence } from '../../db/queries/visibility.js';
import { FieldMappingsSchema } from '../../rules/field-mapping.js';
import { addMappedEvidence, emptyMappedEvidence, hiddenMappings } from '../../rules/mapped-visibility.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MAPPINGS = FieldMappingsSchema.parse([
  { source: 'extendedData.e_cse_college', target: 'cse_college', type: 'text' },
  { source: 'extendedData.e_prime_panier', target: 'meal_allowance', type: 'number' },
  { source: 'department.name', target: 'team', type: 'text' },
  { source: 'axis.1', target: 'cost_center', type: 'text' },
  { source: 'jobTitle', target: 'job', type: 'text' },
]);
const had = { 'attr.cse_college': 'cadres', 'attr.meal_allowance': '7', 'attr.team': 'Ventes', 'attr.cost_center': 'CC-100', 'attr.job': 'Chef' };

/** [record, snapshot fields or null]: every shape readSource distinguishes. */
const CASES: [Record<string, unknown>, Record<string, string | null> | null][] = [
  [{ extendedData: { e_cse_college: { id: 1, value: 'Cadres' }, e_prime_panier: { id: 2, value: 7 } }, department: { id: 1, name: 'Ventes' }, userAxisValues_1: { id: 500, name: 'CC-100' }, jobTitle: 'Chef' }, had],
  [{ extendedData: { e_cse_college: { id: 1, value: null }, e_prime_panier: { id: 2, value: null } }, department: null, userAxisValues_1: null, jobTitle: null }, had],
  [{ extendedData: { e_cse_college: { id: 1, value: null } }, department: null, jobTitle: null }, had],
  [{ extendedData: { e_cse_college: { id: 1, value: null } }, department: null, jobTitle: null }, null],
  [{ extendedData: { e_cse_college: { id: 1, value: null } } }, { 'attr.cse_college': null }],
  [{ extendedData: {} }, had],
  [{ extendedData: null }, had],
  [{ id: 1 }, had],
  [{ extendedData: { e_cse_college: 'Cadres' } }, had],
];

describe('mappedEvidence', () => {
  it('counts in SQL exactly what addMappedEvidence counts', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 3, seed: 1, invalidShare: 0 } }));
    const { id: connectionId } = await harness.addConnection();
    const [run] = await harness.db.db.insert(syncRuns).values({ connectionId, workflowId: `mapped-evidence-${connectionId}`, trigger: 'manual' }).returning();
    if (!run) throw new Error('no run');
    // Each case twice, so a threshold of two is reached where the pure count reaches it.
    const rows = CASES.flatMap(([data, snapshot], i) => [0, 1].map((k) => ({ sourceId: `${i}-${k}`, data, snapshot })));
    await harness.db.db.insert(stagedRecords).values(rows.map((r) => ({ runId: run.id, dataset: 'lucca-users', sourceId: r.sourceId, page: 0, data: r.data })));
    const withSnapshot = rows.filter((r) => r.snapshot !== null);
    await harness.db.db.insert(snapshots).values(withSnapshot.map((r) => ({ connectionId, dataset: 'employees', sourceId: r.sourceId, fields: r.snapshot ?? {} })));

    const expected = emptyMappedEvidence(MAPPINGS);
    for (const r of rows) addMappedEvidence(expected, r.data, r.snapshot ?? undefined, MAPPINGS);
    const counted = await mappedEvidence(harness.db.sql, { runId: run.id, stagedDataset: 'lucca-users', connectionId, dataset: 'employees', mappings: MAPPINGS });
    expect(counted).toEqual(expected);
    // The counts are not trivially zero: some attributes have values, some are cleared.
    expect(expected.cse_college).toEqual({ valued: 4, cleared: 4 });
    expect(hiddenMappings(counted)).toEqual([]);
    expect(await mappedEvidence(harness.db.sql, { runId: run.id, stagedDataset: 'lucca-users', connectionId, dataset: 'employees', mappings: [] })).toEqual({});
  });
});
