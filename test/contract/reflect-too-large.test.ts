/** docs/reflect-api.md "413 payload_too_large": a batch above the server's size answers 413, nothing applied, nothing stored for the key. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReflectErrorBodySchema } from '../../activities/targets/reflect/schemas.js';
import { type ReflectSimulator, startReflectSimulator } from '../../dev/simulators/reflect/server.js';

let sim: ReflectSimulator;

async function api(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
const emp = (id: string) => ({ external_id: id, first_name: `F${id}`, last_name: `L${id}` });
const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

beforeAll(async () => {
  sim = await startReflectSimulator({ rateLimitPerMinute: 0, maxBatchRecords: 4 });
});
afterAll(() => sim.close());
beforeEach(() => fetch(`${sim.url}/_admin/reset`, { method: 'POST' }));

describe('Reflect 413 above the configured batch size', () => {
  it('refuses an upsert or delete batch above the size whole (413 payload_too_large), takes one at the size', async () => {
    const big = await api('/v1/datasets/employees/records:batchUpsert', { records: ids(5).map(emp) }, { 'idempotency-key': 'k-413-1' });
    expect(big.status).toBe(413);
    expect(ReflectErrorBodySchema.parse(big.body).error).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/5 items.*at most 4/) });
    expect(sim.state.records('employees')).toHaveLength(0);
    expect((await api('/v1/datasets/employees/records:batchDelete', { external_ids: ids(5) })).status).toBe(413);
    const fits = await api('/v1/datasets/employees/records:batchUpsert', { records: ids(4).map(emp) }, { 'idempotency-key': 'k-413-2' });
    expect(fits.status).toBe(200);
    // A 413 is not stored under its key: the same key with a batch that fits is a fresh request.
    const retried = await api('/v1/datasets/employees/records:batchUpsert', { records: ids(2).map(emp) }, { 'idempotency-key': 'k-413-1' });
    expect(retried.status).toBe(200);
  });

  it('the size is set at run time (POST /_admin/max-batch, null lifts it) and reset restores the start value', async () => {
    const set = (records: number | null) => fetch(`${sim.url}/_admin/max-batch`, { method: 'POST', body: JSON.stringify({ records }) });
    expect((await set(2)).status).toBe(200);
    expect((await api('/v1/datasets/employees/records:batchUpsert', { records: ids(3).map(emp) })).status).toBe(413);
    await set(null);
    expect((await api('/v1/datasets/employees/records:batchUpsert', { records: ids(6).map(emp) })).status).toBe(200);
    expect((await set(0)).status).toBe(422);
    await fetch(`${sim.url}/_admin/reset`, { method: 'POST' });
    expect(sim.state.store.maxBatchRecords).toBe(4);
  });
});
