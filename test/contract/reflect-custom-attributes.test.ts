/** Reflect employees' custom attributes (docs/reflect-api.md "Custom attributes"): each record checked on its own. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReflectBatchUpsertResponseSchema } from '../../activities/targets/reflect/schemas.js';
import { startReflectSimulator, type ReflectSimulator } from '../../dev/simulators/reflect/server.js';

let sim: ReflectSimulator;
const upsert = async (records: unknown[]) => {
  const res = await fetch(`${sim.url}/v1/datasets/employees/records:batchUpsert`, {
    method: 'POST', headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ records }),
  });
  expect(res.status).toBe(200);
  return ReflectBatchUpsertResponseSchema.parse(await res.json()).results;
};
const employee = (id: string, custom_attributes?: Record<string, unknown>) => ({ external_id: id, first_name: 'Ann', last_name: 'Lee', ...(custom_attributes && { custom_attributes }) });

beforeAll(async () => {
  sim = await startReflectSimulator({ rateLimitPerMinute: 0 });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await fetch(`${sim.url}/_admin/reset`, { method: 'POST' });
  const res = await fetch(`${sim.url}/_admin/custom-attributes`, {
    method: 'POST', body: JSON.stringify({ data: [{ key: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'] }, { key: 'meal_allowance', type: 'number' }] }),
  });
  expect(res.status).toBe(200);
});

describe('Reflect custom attributes', () => {
  it('valid values are stored; an unknown attribute or a bad type rejects that record only', async () => {
    const results = await upsert([
      employee('1', { cse_college: 'cadres', meal_allowance: 7 }),
      employee('2', { shoe_size: 42 }),
      employee('3', { cse_college: 'ETAM', meal_allowance: 'seven' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['created', 'rejected', 'rejected']);
    expect(results[1]?.errors).toEqual({ 'custom_attributes.shoe_size': ['unknown attribute'] });
    expect(results[2]?.errors).toEqual({ 'custom_attributes.cse_college': ['must be one of: cadres, non-cadres'], 'custom_attributes.meal_allowance': ['must be a number'] });
    expect(sim.state.records('employees').map((r) => r.custom_attributes)).toEqual([{ cse_college: 'cadres', meal_allowance: 7 }]);
  });
});
