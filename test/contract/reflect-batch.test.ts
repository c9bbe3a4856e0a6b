import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ReflectDataset,
  ReflectBatchDeleteResponseSchema,
  ReflectBatchUpsertResponseSchema,
  ReflectErrorBodySchema,
  reflectListResponseSchema,
} from '../../activities/targets/reflect/schemas.js';
import { type ReflectSimulator, startReflectSimulator } from '../../dev/simulators/reflect/server.js';

let sim: ReflectSimulator;
let clock = new Date('2025-03-01T08:00:00.000Z');

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}
const upsert = async (dataset: ReflectDataset, records: unknown[]) => {
  const res = await api('POST', `/v1/datasets/${dataset}/records:batchUpsert`, { records });
  expect(res.status).toBe(200);
  return ReflectBatchUpsertResponseSchema.parse(res.body).results;
};
const errorOf = (body: unknown) => ReflectErrorBodySchema.parse(body).error;
const emp = (id: string, extra: object = {}) => ({ external_id: id, first_name: `F${id}`, last_name: `L${id}`, ...extra });

beforeAll(async () => {
  sim = await startReflectSimulator({ rateLimitPerMinute: 0, now: () => clock });
});
afterAll(() => sim.close());
beforeEach(() => fetch(`${sim.url}/_admin/reset`, { method: 'POST' }));

describe('Reflect auth and routing', () => {
  it('answers 401 without the key and 404 for an unknown dataset or route', async () => {
    const res = await api('GET', '/v1/datasets/employees/records', undefined, { authorization: 'Bearer nope' });
    expect(res.status).toBe(401);
    expect(errorOf(res.body).code).toBe('unauthorized');
    expect((await api('GET', '/v1/datasets/payslips/records')).status).toBe(404);
    expect((await api('POST', '/v1/datasets/employees/records:batchPatch', { records: [] })).status).toBe(404);
    expect((await api('GET', '/v1/datasets/employees/records:batchUpsert')).status).toBe(405);
  });
});

describe('Reflect batch upsert', () => {
  it('reports created, then unchanged, then updated, per record and in order', async () => {
    expect(await upsert('employees', [emp('1'), emp('2')])).toEqual([
      { index: 0, external_id: '1', status: 'created' },
      { index: 1, external_id: '2', status: 'created' },
    ]);
    clock = new Date(clock.getTime() + 60_000);
    const second = await upsert('employees', [emp('2', { department: 'Sales' }), emp('1'), emp('3')]);
    expect(second.map((r) => r.status)).toEqual(['updated', 'unchanged', 'created']);
    const stored = sim.state.store.get('employees', '2');
    expect(stored).toMatchObject({ department: 'Sales', created_at: '2025-03-01T08:00:00.000Z', updated_at: clock.toISOString() });
    expect(sim.state.store.get('employees', '1')?.updated_at).toBe('2025-03-01T08:00:00.000Z');
  });

  it('treats an omitted optional field and an explicit null as the same value', async () => {
    await upsert('employees', [emp('1', { email: 'a@acme.fr' })]);
    expect((await upsert('employees', [emp('1', { email: 'a@acme.fr', department: null })]))[0]?.status).toBe('unchanged');
    expect((await upsert('employees', [emp('1')]))[0]?.status).toBe('updated');
  });

  it('rejects bad records inside a 200 and applies the good ones', async () => {
    const results = await upsert('employees', [
      emp('1'),
      { external_id: '2', first_name: '', last_name: 'X', email: 'nope', contract_start: '2024-02-30', shoe_size: 42 },
      { first_name: 'No', last_name: 'Id' },
      emp('4', { contract_start: '2024-05-01', contract_end: '2024-04-01', manager_external_id: '4' }),
      emp('1', { department: 'dup' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['created', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(results[1]?.errors).toEqual({
      first_name: ['must not be empty'],
      email: ['must be a valid email'],
      contract_start: ['must be a valid date (YYYY-MM-DD)'],
      shoe_size: ['unknown field'],
    });
    expect(results[2]).toEqual({ index: 2, external_id: null, status: 'rejected', errors: { external_id: ['is required'] } });
    expect(results[3]?.errors).toEqual({
      contract_end: ['must be on or after contract_start'],
      manager_external_id: ['must not be the employee'],
    });
    expect(results[4]?.errors).toEqual({ external_id: ['appears more than once in this batch'] });
    expect(sim.state.records('employees').map((r) => r.external_id)).toEqual(['1']);
  });

  it('validates compensation, absences and expenses by their own rules', async () => {
    const comp = await upsert('compensation', [
      { external_id: 'f1', employee_external_id: '1', kind: 'fixed', category: 'BASIC_SALARY', amount: 42000, currency: 'EUR', starts_on: '2024-01-01' },
      { external_id: 'v1', employee_external_id: '1', kind: 'variable', category: 'BONUS', amount: 1500.5, currency: 'EUR' },
      { external_id: 'x', employee_external_id: '1', kind: 'other', category: 'bonus', amount: '12', currency: 'euro', starts_on: null },
    ]);
    expect(comp.map((r) => r.status)).toEqual(['created', 'rejected', 'rejected']);
    expect(comp[1]?.errors).toEqual({ period: ['is required for a variable item'] });
    expect(Object.keys(comp[2]?.errors ?? {}).sort()).toEqual(['amount', 'category', 'currency', 'kind']);

    const abs = await upsert('absences', [
      { external_id: 'a1', employee_external_id: '1', type: 'PTO', starts_on: '2024-07-01', ends_on: '2024-07-05', start_half: 'am', end_half: 'pm', days: 5 },
      { external_id: 'a2', employee_external_id: '1', type: 'RTT', starts_on: '2024-07-08', ends_on: '2024-07-08', start_half: 'pm', end_half: 'am', days: 0.25 },
    ]);
    expect(abs[0]?.status).toBe('created');
    expect(abs[1]?.errors).toEqual({ days: ['must be a multiple of 0.5'], end_half: ['must not end before it starts'] });

    const exp = await upsert('expenses', [
      { external_id: 'e1', employee_external_id: '1', name: 'Trip', declared_on: '2024-03-04', status: 'approved', currency: 'EUR' },
      { external_id: 'e2', employee_external_id: '1', name: 'Trip', declared_on: '2024-03-04', status: 'Approved', currency: 'EUR', amount: 12 },
    ]);
    expect(exp.map((r) => r.status)).toEqual(['created', 'rejected']);
    expect(sim.state.store.get('expenses', 'e1')?.amount).toBeNull();
  });

  it('caps a batch at 500 records and refuses a malformed body as a whole (422)', async () => {
    const full = Array.from({ length: 500 }, (_, i) => emp(String(i)));
    expect((await upsert('employees', full)).every((r) => r.status === 'created')).toBe(true);
    const tooMany = await api('POST', '/v1/datasets/employees/records:batchUpsert', { records: [...full, emp('x')] });
    expect(tooMany.status).toBe(422);
    expect(errorOf(tooMany.body)).toMatchObject({ code: 'validation_failed', fields: { records: ['must hold at most 500 records'] } });
    for (const body of [{}, { records: [] }, { records: 'x' }, { records: [emp('1')], extra: 1 }, { records: [1] }]) {
      expect((await api('POST', '/v1/datasets/employees/records:batchUpsert', body)).status, JSON.stringify(body)).toBe(422);
    }
    expect(sim.state.records('employees')).toHaveLength(500);
  });
});

describe('Reflect batch delete and list', () => {
  it('deletes by external id, reporting not_found for unknown ids', async () => {
    await upsert('absences', [
      { external_id: 'a1', employee_external_id: '1', type: 'PTO', starts_on: '2024-07-01', ends_on: '2024-07-01', start_half: 'am', end_half: 'am', days: 0.5 },
    ]);
    const res = await api('POST', '/v1/datasets/absences/records:batchDelete', { external_ids: ['a1', 'zz', 'a1'] });
    expect(ReflectBatchDeleteResponseSchema.parse(res.body).results).toEqual([
      { external_id: 'a1', status: 'deleted' },
      { external_id: 'zz', status: 'not_found' },
      { external_id: 'a1', status: 'not_found' },
    ]);
    expect(sim.state.records('absences')).toEqual([]);
    expect((await api('POST', '/v1/datasets/absences/records:batchDelete', { external_ids: [] })).status).toBe(422);
    const tooMany = Array.from({ length: 501 }, (_, i) => String(i));
    expect((await api('POST', '/v1/datasets/absences/records:batchDelete', { external_ids: tooMany })).status).toBe(422);
  });

  it('lists records in external_id order, paged, with a 1000 cap', async () => {
    await upsert('employees', ['b', 'a', 'd', 'c', 'e'].map((id) => emp(id)));
    const schema = reflectListResponseSchema('employees');
    const page1 = schema.parse((await api('GET', '/v1/datasets/employees/records?per_page=2')).body);
    expect(page1.data.map((r) => r.external_id)).toEqual(['a', 'b']);
    expect(page1.meta).toEqual({ page: 1, per_page: 2, total: 5, next_page: 2 });
    await api('POST', '/v1/datasets/employees/records:batchDelete', { external_ids: ['a'] });
    const page2 = schema.parse((await api('GET', '/v1/datasets/employees/records?per_page=2&page=2')).body);
    expect(page2.data.map((r) => r.external_id)).toEqual(['d', 'e']);
    expect(page2.meta.next_page).toBeNull();
    expect((await api('GET', '/v1/datasets/employees/records?per_page=1001')).status).toBe(422);
    expect(schema.parse((await api('GET', '/v1/datasets/employees/records')).body).data[0]).toMatchObject({
      external_id: 'b',
      email: null,
      created_at: clock.toISOString(),
    });
  });
});
