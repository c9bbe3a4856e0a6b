import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReflectAdminStateSchema, ReflectErrorBodySchema } from '../../activities/targets/reflect/schemas.js';
import { type ReflectSimulator, startReflectSimulator } from '../../dev/simulators/reflect/server.js';

let sim: ReflectSimulator;
let clock = new Date('2025-03-01T08:00:00.000Z');

async function api(method: string, path: string, body?: unknown, key?: string) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${sim.apiKey}`,
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}
const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${sim.url}/_admin${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
const state = async () => ReflectAdminStateSchema.parse(await (await admin('GET', '/state')).json());
const emp = (id: string, extra: object = {}) => ({ external_id: id, first_name: `F${id}`, last_name: `L${id}`, ...extra });
const UPSERT = '/v1/datasets/employees/records:batchUpsert';

const calls = {
  batchUpsert: () => api('POST', UPSERT, { records: [emp('1')] }),
  batchDelete: () => api('POST', '/v1/datasets/employees/records:batchDelete', { external_ids: ['nope'] }),
  listRecords: () => api('GET', '/v1/datasets/employees/records'),
};

beforeAll(async () => {
  sim = await startReflectSimulator({ now: () => clock });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await admin('POST', '/reset');
  await admin('POST', '/rate-limit', { perMinute: 0 });
});

describe('Reflect Idempotency-Key', () => {
  it('replays the same batch: same results, marked replayed, nothing applied twice', async () => {
    const first = await api('POST', UPSERT, { records: [emp('1'), emp('2')] }, 'batch-1');
    await api('POST', UPSERT, { records: [emp('1', { department: 'Ops' })] });
    const again = await api('POST', UPSERT, { records: [emp('1'), emp('2')] }, 'batch-1');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
    expect(sim.state.store.get('employees', '1')?.department).toBe('Ops');
    expect((await state()).idempotencyReplays).toBe(1);
  });

  it('refuses the key with another batch or another dataset', async () => {
    await api('POST', UPSERT, { records: [emp('1')] }, 'k');
    for (const [path, body] of [
      [UPSERT, { records: [emp('2')] }],
      ['/v1/datasets/absences/records:batchUpsert', { records: [emp('1')] }],
    ] as const) {
      const res = await api('POST', path, body, 'k');
      expect(res.status).toBe(422);
      expect(ReflectErrorBodySchema.parse(JSON.parse(res.text)).error.code).toBe('idempotency_key_reused');
    }
    expect(sim.state.records('employees')).toHaveLength(1);
  });

  it('a dropped batch was applied; its retry with the key replays the results', async () => {
    sim.faults.set('batchUpsert', { dropRate: 1 });
    await expect(api('POST', UPSERT, { records: [emp('1')] }, 'drop')).rejects.toThrow();
    sim.faults.clear();
    const retry = await api('POST', UPSERT, { records: [emp('1')] }, 'drop');
    expect(JSON.parse(retry.text)).toEqual({ results: [{ index: 0, external_id: '1', status: 'created' }] });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('Reflect rate limit', () => {
  it('answers 429 rate_limited with Retry-After past the budget, and recovers', async () => {
    await admin('POST', '/rate-limit', { perMinute: 2 });
    expect((await calls.listRecords()).status).toBe(200);
    expect((await calls.batchUpsert()).status).toBe(200);
    const limited = await calls.batchUpsert();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(60);
    expect(ReflectErrorBodySchema.parse(JSON.parse(limited.text)).error.code).toBe('rate_limited');
    clock = new Date(clock.getTime() + 61_000);
    expect((await calls.listRecords()).status).toBe(200);
  });

  it('defaults to 600 requests a minute', async () => {
    const fresh = await startReflectSimulator({ now: () => clock });
    const hit = () => fetch(`${fresh.url}/v1/datasets/expenses/records`, { headers: { authorization: `Bearer ${fresh.apiKey}` } });
    const statuses = await Promise.all(Array.from({ length: 601 }, async () => (await hit()).status));
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    await fresh.close();
  });
});

describe('Reflect fault switches', () => {
  it.each(Object.keys(calls))('errorRate on %s fails that endpoint only', async (endpoint) => {
    await admin('POST', '/faults', { [endpoint]: { errorRate: 1 } });
    for (const [name, call] of Object.entries(calls)) {
      expect((await call()).status, name).toBe(name === endpoint ? 500 : 200);
    }
    expect((await state()).requestCounts[endpoint]).toEqual({ '500': 1 });
  });

  it("'*' and burst429 apply; DELETE /_admin/faults lifts them", async () => {
    await admin('POST', '/faults', { '*': { burst429: 1, retryAfterSeconds: 3 } });
    const res = await calls.listRecords();
    expect([res.status, res.headers.get('retry-after')]).toEqual([429, '3']);
    await admin('POST', '/faults', { '*': { errorRate: 1 } });
    expect((await calls.batchDelete()).status).toBe(500);
    await admin('DELETE', '/faults');
    expect((await calls.batchDelete()).status).toBe(200);
  });
});

describe('Reflect per-record rejection switch and state', () => {
  it('rejects one record inside a 200 until lifted', async () => {
    await admin('POST', '/reject', { dataset: 'employees', external_id: '2', reason: 'is locked in Reflect' });
    const res = JSON.parse((await api('POST', UPSERT, { records: [emp('1'), emp('2')] })).text) as unknown;
    expect(res).toEqual({
      results: [
        { index: 0, external_id: '1', status: 'created' },
        { index: 1, external_id: '2', status: 'rejected', errors: { record: ['is locked in Reflect'] } },
      ],
    });
    sim.state.reject('employees', '2', null);
    expect(JSON.parse((await api('POST', UPSERT, { records: [emp('2')] })).text)).toMatchObject({
      results: [{ status: 'created' }],
    });
  });

  it('dumps records per dataset and request counts; reset empties everything', async () => {
    await calls.batchUpsert();
    await calls.listRecords();
    const dump = await state();
    expect(dump.datasets.employees).toEqual([expect.objectContaining({ external_id: '1', first_name: 'F1' })]);
    expect(dump.datasets.absences).toEqual([]);
    expect(dump.requestCounts).toEqual({ batchUpsert: { '200': 1 }, listRecords: { '200': 1 } });
    await admin('POST', '/reset');
    expect(await state()).toEqual({
      datasets: { employees: [], compensation: [], absences: [], expenses: [] },
      requestCounts: {},
      idempotencyReplays: 0,
    });
  });
});
