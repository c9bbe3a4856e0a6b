/**
 * The simulator's silent filtering by role, as tests of the sync need it: a hidden field served
 * either way Lucca serves it (left out, or `null`; docs/lucca-api.md §1a: a key without a permission gets
 * 200 with fields missing or records filtered out), chosen per key, and a key's role changed
 * between two reads (a tenant admin editing the key's role), in process and over the admin route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCompany, isFormer, isFuture, type Company } from '../../dev/simulators/data/company.js';
import { FULL_ROLE, luccaGet } from '../../dev/simulators/lucca/fixtures.js';
import { startLuccaSimulator, type LuccaSimulator } from '../../dev/simulators/lucca/server.js';

let sim: LuccaSimulator;
let company: Company;
let base: string;
const items = async (key: string, query = 'formerEmployees=true&fields=id,firstName,birthDate') => {
  const res = await luccaGet(`${base}/api/v3/users?${query}`, key);
  expect(res.status).toBe(200);
  return res.body.data.items as Array<Record<string, unknown>>;
};

beforeAll(async () => {
  sim = await startLuccaSimulator({ rateLimitPerMinute: 0 });
  company = generateCompany({ employees: 80, seed: 5 });
  sim.addInstance({
    name: 'acme',
    company,
    keys: [
      { key: 'omitted-key', role: { seeFormer: true, seeFuture: true } },
      { key: 'null-key', role: { seeFormer: true, seeFuture: true }, hiddenAs: 'null' },
      { key: 'changing-key', role: FULL_ROLE },
    ],
  });
  base = sim.instanceUrl('acme');
});
afterAll(() => sim.close());

describe('hidden fields, per key', () => {
  it('hiddenAs omitted (the default): birthDate is left out of every record, even when asked for', async () => {
    for (const item of await items('omitted-key')) expect(Object.keys(item)).toEqual(['id', 'firstName']);
  });

  it('hiddenAs null: birthDate is there, null, on every record', async () => {
    const all = await items('null-key');
    expect(all.length).toBe(company.users.length);
    for (const item of all) expect([Object.keys(item), item.birthDate]).toEqual([['id', 'firstName', 'birthDate'], null]);
  });

  it('a field not asked for stays out either way', async () => {
    for (const item of await items('null-key', 'fields=id,firstName')) expect(Object.keys(item)).toEqual(['id', 'firstName']);
  });
});

describe('a key whose role changes between two reads', () => {
  it('in process: setKeyRole hides birth dates and former and future people from the next request on', async () => {
    const today = company.clock.today();
    const before = await items('changing-key');
    expect(before.filter((i) => typeof i.birthDate === 'string').length).toBe(company.users.length);
    sim.setKeyRole('acme', 'changing-key', { hrFileSections: false }, 'null');
    const after = await items('changing-key');
    const visible = company.users.filter((u) => !isFormer(u, today) && !isFuture(u, today));
    expect(visible.length).toBeLessThan(company.users.length);
    expect(after.map((i) => i.id)).toEqual(visible.map((u) => u.id));
    for (const item of after) expect(item.birthDate).toBeNull();
    sim.setKeyRole('acme', 'changing-key', FULL_ROLE, 'omitted');
    expect((await items('changing-key')).length).toBe(company.users.length);
  });

  it('over the admin route: PUT /_admin/instances/<name>/keys/<key>/role', async () => {
    const put = (key: string, body: unknown) => fetch(`${sim.url}/_admin/instances/acme/keys/${key}/role`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect((await put('changing-key', { role: { ...FULL_ROLE, hrFileSections: false } })).status).toBe(200);
    for (const item of await items('changing-key')) expect('birthDate' in item).toBe(false);
    expect((await put('no-such-key', { role: {} })).status).toBe(404);
    expect((await put('changing-key', { role: { seeFormer: 'yes' } })).status).toBe(400);
    expect((await put('changing-key', { role: FULL_ROLE, hiddenAs: 'null' })).status).toBe(200);
    expect((await items('changing-key')).every((i) => typeof i.birthDate === 'string')).toBe(true);
  });
});
