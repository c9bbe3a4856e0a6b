/**
 * HR-file sections, custom fields, axes and org lists in the Lucca simulator (issue 20). Sources:
 * developers.lucca.fr "Extended Data" (`extendedData.e_…` as `{ id, value }`), "The user resource"
 * (`userAxisValues_{axisId}`), the role's "Consult HR files" › section; /organization/structure/api lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCompany, type Company } from '../../dev/simulators/data/company.js';
import { FULL_ROLE, luccaGet } from '../../dev/simulators/lucca/fixtures.js';
import { startLuccaSimulator, type LuccaSimulator } from '../../dev/simulators/lucca/server.js';

let sim: LuccaSimulator;
let company: Company;
let base: string;
const items = async (key: string, fields: string) => {
  const res = await luccaGet(`${base}/api/v3/users?formerEmployees=true&fields=${fields}`, key);
  expect(res.status).toBe(200);
  return res.body.data.items as Array<Record<string, unknown>>;
};

beforeAll(async () => {
  sim = await startLuccaSimulator({ rateLimitPerMinute: 0 });
  company = generateCompany({ employees: 60, seed: 9 });
  sim.addInstance({
    name: 'acme',
    company,
    keys: [
      { key: 'all-key', role: FULL_ROLE },
      { key: 'civil-only', role: { ...FULL_ROLE, hrSections: ['État civil'] } },
      { key: 'no-hr', role: { ...FULL_ROLE, hrFileSections: false } },
    ],
  });
  base = sim.instanceUrl('acme');
});
afterAll(() => sim.close());

describe('extendedData by HR-file section', () => {
  it('"All items": every custom field as { id, value }, dates as Lucca date-times', async () => {
    const [first] = await items('all-key', 'id,extendedData');
    const ext = first?.extendedData as Record<string, { id: number; value: unknown }>;
    expect(Object.keys(ext).sort()).toEqual(['e_badge_date', 'e_cse_college', 'e_mutuelle_option', 'e_prime_panier']);
    expect(ext.e_badge_date?.value).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00$/);
    expect(typeof ext.e_mutuelle_option?.value).toBe('number');
  });

  it('a key whose role lacks a section: that section\'s fields are absent (not null)', async () => {
    for (const item of await items('civil-only', 'id,extendedData')) expect(item.extendedData).toEqual({});
    for (const item of await items('no-hr', 'id,extendedData')) expect(item.extendedData).toEqual({});
  });

  it('a mutation sets and clears a value (null is served as { value: null })', async () => {
    const id = company.users[3]?.id as number;
    const mutate = (extendedData: Record<string, unknown>) => fetch(`${sim.url}/_admin/instances/acme/mutate`, {
      method: 'POST', body: JSON.stringify({ op: 'update', userId: id, extendedData }),
    });
    expect((await mutate({ e_cse_college: 'Cadres dirigeants' })).status).toBe(200);
    let res = await luccaGet(`${base}/api/v3/users/${id}?fields=extendedData`, 'all-key');
    expect(res.body.data.extendedData.e_cse_college.value).toBe('Cadres dirigeants');
    await mutate({ e_cse_college: null });
    res = await luccaGet(`${base}/api/v3/users/${id}?fields=extendedData`, 'all-key');
    expect(res.body.data.extendedData.e_cse_college).toEqual({ id: expect.any(Number), value: null });
  });
});

describe('axes and org lists', () => {
  it('userAxisValues_1 is a reference to the axis section', async () => {
    const [first] = await items('all-key', 'id,userAxisValues_1[id,name]');
    expect(first?.userAxisValues_1).toEqual({ id: expect.any(Number), name: expect.stringMatching(/^CC-\d+$/) });
  });

  it('legal units and establishments are v4 lists; an establishment names its legal unit', async () => {
    const units = await luccaGet(`${base}/organization/structure/api/legal-units`, 'all-key');
    const establishments = await luccaGet(`${base}/organization/structure/api/establishments`, 'all-key');
    expect(units.status).toBe(200);
    expect(units.body.items.map((u: { id: number }) => u.id)).toEqual(company.legalEntities.map((l) => l.id));
    expect(establishments.body.items[0]).toMatchObject({ id: 1, legalUnitId: 1 });
    expect(establishments.body.count).toBe(company.legalEntities.length);
  });
});
