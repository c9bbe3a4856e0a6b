import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../activities/http/http.js';
import { createLuccaClient } from '../../activities/lucca/client.js';
import { LEAVE_FIELDS } from '../../activities/lucca/schemas.js';
import { unlimited } from '../../activities/http/rate-limiter.js';
import { createReflectClient } from '../../activities/targets/reflect/client.js';
import { SyncError } from '../../activities/errors.js';
import { FULL_ROLE, startDemoLucca, type DemoLucca } from '../../dev/simulators/lucca/fixtures.js';
import { startReflectSimulator, type ReflectSimulator } from '../../dev/simulators/reflect/server.js';

const dispatcher = createDispatcher();
let reflect: ReflectSimulator;
let lucca: DemoLucca;

beforeAll(async () => {
  reflect = await startReflectSimulator({ rateLimitPerMinute: 0 });
  lucca = await startDemoLucca({
    company: { employees: 30, seed: 2 }, rateLimitPerMinute: 0,
    keys: [{ key: 'full-key', role: FULL_ROLE }, { key: 'no-modules', role: { ...FULL_ROLE, pagga: false, leaves: false, expenses: false } }],
  });
});
afterAll(async () => {
  await reflect.close();
  await lucca.sim.close();
  await dispatcher.close();
});
beforeEach(async () => {
  await fetch(`${reflect.url}/_admin/reset`, { method: 'POST' });
});

const client = (apiKey = reflect.apiKey) => createReflectClient({ baseUrl: reflect.url, apiKey, dispatcher });
const emp = (id: string, extra: object = {}) => ({ external_id: id, first_name: `F${id}`, last_name: `L${id}`, ...extra });
const failure = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => err as SyncError);

describe('Reflect client', () => {
  it('upserts a batch with its Idempotency-Key; the same batch again is answered from Reflect\'s store', async () => {
    const records = [emp('1'), emp('2', { email: 'not-an-email' })];
    const first = await client().batchUpsert('employees', records, 'key-000000000001');
    expect(first.map((r) => [r.external_id, r.status])).toEqual([['1', 'created'], ['2', 'rejected']]);
    expect(first[1]?.errors).toEqual({ email: ['must be a valid email'] }); // a rejection inside a 200: the caller's to report
    const again = await client().batchUpsert('employees', records, 'key-000000000001');
    expect(again).toEqual(first);
    expect(reflect.state.dump().idempotencyReplays).toBe(1);
    expect(reflect.state.records('employees')).toHaveLength(1);
  });

  it('deletes by external id and lists records', async () => {
    await client().batchUpsert('employees', [emp('1'), emp('2')], 'key-000000000002');
    expect(await client().batchDelete('employees', ['1', 'x'], 'key-000000000003')).toEqual([
      { external_id: '1', status: 'deleted' }, { external_id: 'x', status: 'not_found' },
    ]);
    const page = await client().listRecords('employees', 1, 10);
    expect(page.data.map((r) => r.external_id)).toEqual(['2']);
    expect(page.meta).toMatchObject({ total: 1, next_page: null });
  });

  it('follows the shared error rules: a refused key stops, 429 waits Retry-After, 5xx and a lost connection retry', async () => {
    const unauthorized = await failure(client('wrong-key-123').batchUpsert('employees', [emp('1')], 'key-000000000004'));
    expect(unauthorized).toMatchObject({ code: 'reflect_unauthorized', retryable: false });
    reflect.faults.set('batchUpsert', { burst429: 1, retryAfterSeconds: 7 });
    expect(await failure(client().batchUpsert('employees', [emp('1')], 'key-000000000005'))).toMatchObject({ code: 'reflect_rate_limited', retryable: true, retryAfterMs: 7000 });
    reflect.faults.set('batchUpsert', { burst429: 0, errorRate: 1 });
    expect(await failure(client().batchUpsert('employees', [emp('1')], 'key-000000000006'))).toMatchObject({ code: 'reflect_unavailable', retryable: true });
    reflect.faults.set('batchUpsert', { errorRate: 0, dropRate: 1 });
    expect(await failure(client().batchUpsert('employees', [emp('1')], 'key-000000000007'))).toMatchObject({ code: 'reflect_unreachable', retryable: true });
    reflect.faults.clear();
  });

  it('a request Reflect refuses whole (our bug) stops the run; batches hold 1 to 500 items', async () => {
    const refused = await failure(client().batchUpsert('employees', [{ external_id: '1', first_name: 'A', last_name: 'B' }], 'bad key with spaces'));
    expect(refused).toMatchObject({ code: 'reflect_request_refused', retryable: false });
    await expect(client().batchUpsert('employees', [], 'key-000000000008')).rejects.toThrow(RangeError);
    await expect(client().batchDelete('employees', Array.from({ length: 501 }, (_, i) => String(i)), 'key-000000000009')).rejects.toThrow(RangeError);
  });
});

describe('Lucca client: the Reflect datasets', () => {
  const luccaClient = (apiKey = 'full-key') => createLuccaClient({ baseUrl: lucca.url, apiKey, dispatcher, limiter: unlimited });
  const company = () => lucca.sim.company('demo');

  it('reads leaves with the date and owner filters Lucca insists on, in pages', async () => {
    const all = await luccaClient().listLeaves({ offset: 0, fields: LEAVE_FIELDS, from: '2024-09-01', to: '2026-09-01' });
    expect(all.items.length).toBeGreaterThan(50);
    expect(all.items[0]).toMatchObject({ leavePeriod: { ownerId: expect.any(Number) }, leaveAccount: { name: expect.any(String) } });
    const page = await luccaClient().listLeaves({ offset: 10, limit: 5, fields: ['id'], from: '2024-09-01', to: '2026-09-01' });
    expect(page.items).toEqual(all.items.slice(10, 15).map((l) => ({ id: (l as { id: string }).id })));
  });

  it('reads expense claims, all or modified since a date-time', async () => {
    const all = await luccaClient().listExpenseClaims({ offset: 0, fields: ['id', 'modifiedOn'] });
    expect(all.items.length).toBeGreaterThan(5);
    const none = await luccaClient().listExpenseClaims({ offset: 0, fields: ['id'], modifiedSince: '2030-01-01T00:00:00' });
    expect(none.items).toEqual([]);
  });

  it('reads fixed and variable pay items page by page (v4 envelope)', async () => {
    const first = await luccaClient().listFixedItems({ page: 1, limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.hasNext).toBe(true);
    expect(first.count).toBe(company().fixedItems.length);
    const last = await luccaClient().listFixedItems({ page: Math.ceil(company().fixedItems.length / 10), limit: 10 });
    expect(last.hasNext).toBe(false);
    const variable = await luccaClient().listVariableItems({ page: 1 });
    // Deleted items come back only with IncludeDeleted=true, which the client does not send.
    const live = company().variableItems.filter((i) => !i.isDeleted);
    expect(company().variableItems.length).toBeGreaterThan(live.length);
    expect(variable.items).toHaveLength(live.length);
    expect(variable.hasNext).toBe(false);
  });

  it('pay items carry the documented owner path and currency path; work contracts say the establishment', async () => {
    const [fixed] = (await luccaClient().listFixedItems({ page: 1, limit: 1 })).items as Array<Record<string, unknown>>;
    expect(fixed).not.toHaveProperty('ownerId');
    expect(fixed).toMatchObject({
      workContractId: expect.any(Number),
      workContract: { workContractId: fixed?.workContractId, amendmentId: 0, ownerId: expect.any(Number) },
      nature: { category: { code: 'BASIC_SALARY' }, establishments: [{ id: 1, currencyCode: 'EUR', currencySymbol: '€' }] },
    });
    const contracts = await luccaClient().listWorkContracts({ page: 1 });
    expect(contracts.hasNext).toBe(false);
    expect(contracts.count).toBe(company().users.length);
    const mine = (contracts.items as Array<Record<string, unknown>>).find((c) => c.id === fixed?.workContractId);
    expect(mine).toMatchObject({ ownerId: (fixed?.workContract as { ownerId: number }).ownerId, establishmentId: 1, isApplicable: true });
  });

  it('a role without the module answers 403: lucca_forbidden, not retried', async () => {
    for (const call of [
      () => luccaClient('no-modules').listFixedItems({ page: 1 }),
      () => luccaClient('no-modules').listLeaves({ offset: 0, fields: ['id'], from: '2025-01-01', to: '2025-02-01' }),
      () => luccaClient('no-modules').listExpenseClaims({ offset: 0, fields: ['id'] }),
    ]) {
      expect(await failure(call())).toMatchObject({ code: 'lucca_forbidden', retryable: false });
    }
  });
});
