/**
 * The Lucca simulator serves pay items, work contracts and expense claims in the shapes Lucca
 * documents (developers.lucca.fr, legacy API reference):
 * - pagga-remuneration/fixed-items and variable-items: no top-level owner, the owner under
 *   `workContract{workContractId, amendmentId, ownerId, owner, startsOn, endsOn}`, the currency on
 *   `nature.establishments[{id, name, currencyCode, currencySymbol}]`; variable items: "IncludeDeleted —
 *   Also return variable items that have been deleted";
 * - directory/get-work-contracts: `{items, count}`, each with `id`, `ownerId`, `establishmentId`…;
 * - cleemy-expenses/expenseclaims: `statusId` and the object `status{id, name, code}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCompany, type Company } from '../../dev/simulators/data/company.js';
import { workContractIdOf } from '../../dev/simulators/data/compensation.js';
import { update } from '../../dev/simulators/data/mutations.js';
import { luccaGet } from '../../dev/simulators/lucca/fixtures.js';
import { startLuccaSimulator, type LuccaSimulator } from '../../dev/simulators/lucca/server.js';

let sim: LuccaSimulator;
let company: Company;
let base: string;
const get = (path: string) => luccaGet(`${base}${path}`, 'full-key');

beforeAll(async () => {
  sim = await startLuccaSimulator({ rateLimitPerMinute: 0 });
  company = generateCompany({ employees: 60, seed: 5 });
  // A Swiss establishment beside the French one: the model pays it in CHF.
  company.legalEntities.push({ id: 4, name: 'Acme Suisse SA', code: 'CH01' });
  sim.addInstance({ name: 'acme', company, keys: [{ key: 'full-key' }] });
  base = sim.instanceUrl('acme');
});
afterAll(() => sim.close());

type Item = Record<string, unknown> & { id: number; workContractId: number; workContract: { ownerId: number; workContractId: number } };

describe('pay items (pagga-remuneration, v4)', () => {
  it('carry the owner only under workContract, and every establishment of the nature with its currency', async () => {
    const swiss = company.fixedItems[0]!.ownerId;
    update(company, swiss, { legalEntityId: 4 });
    for (const path of ['/remuneration/api/fixed-items', '/remuneration/api/variable-items']) {
      const { body } = await get(`${path}?limit=1000`);
      expect(body.items.length, path).toBeGreaterThan(0);
      for (const item of body.items as Item[]) {
        expect(item).not.toHaveProperty('ownerId');
        expect(item).not.toHaveProperty('owner');
        expect(item.workContract).toMatchObject({ workContractId: item.workContractId, amendmentId: 0, ownerId: expect.any(Number), owner: { id: item.workContract.ownerId } });
        // One nature shared by the French and the Swiss establishments: the item alone does not say its currency.
        expect((item.nature as { establishments: unknown[] }).establishments).toEqual(expect.arrayContaining([
          expect.objectContaining({ currencyCode: 'EUR', currencySymbol: '€' }),
          { id: 4, name: 'Acme Suisse SA', currencyCode: 'CHF', currencySymbol: 'CHF' },
        ]));
      }
    }
  });

  it('returns deleted variable items only with IncludeDeleted=true (any case), and 400 on a bad value', async () => {
    const deleted = company.variableItems.filter((i) => i.isDeleted).map((i) => i.id);
    expect(deleted.length).toBeGreaterThan(0);
    const ids = async (query: string) => ((await get(`/remuneration/api/variable-items?limit=1000${query}`)).body.items as Item[]).map((i) => i.id);
    const plain = await ids('');
    expect(plain.some((id) => deleted.includes(id))).toBe(false);
    expect(plain).toHaveLength(company.variableItems.length - deleted.length);
    expect(await ids('&IncludeDeleted=false')).toEqual(plain);
    const all = await ids('&includeDeleted=true');
    expect(all).toEqual(company.variableItems.map((i) => i.id));
    const { body } = await get('/remuneration/api/variable-items?limit=1000&IncludeDeleted=true');
    expect((body.items as Item[]).filter((i) => i.isDeleted === true).map((i) => i.id)).toEqual(deleted);
    expect((await get('/remuneration/api/variable-items?IncludeDeleted=maybe')).status).toBe(400);
  });
});

describe('GET /directory/api/4.0/work-contracts', () => {
  it('serves {items, count} with each contract\'s owner and establishment, pages and filters', async () => {
    const swiss = company.users[3]!;
    update(company, swiss.id, { legalEntityId: 4 });
    const { status, body } = await get('/directory/api/4.0/work-contracts?limit=1000&fields.root=count');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['count', 'items']);
    expect(body.count).toBe(company.users.length);
    expect(body.items.find((c: { ownerId: number }) => c.ownerId === swiss.id)).toMatchObject({
      id: workContractIdOf(swiss.id), ownerId: swiss.id, establishmentId: 4, isApplicable: true, startsOn: swiss.dtContractStart,
    });
    const page = await get('/directory/api/4.0/work-contracts?page=2&limit=5');
    expect(page.body.items.map((c: { id: number }) => c.id)).toEqual(body.items.slice(5, 10).map((c: { id: number }) => c.id));
    const chOnly = await get('/directory/api/4.0/work-contracts?limit=1000&establishmentId=4');
    expect(chOnly.body.items.map((c: { ownerId: number }) => c.ownerId)).toContain(swiss.id);
    expect(chOnly.body.items.every((c: { establishmentId: number }) => c.establishmentId === 4)).toBe(true);
    const one = await get(`/directory/api/4.0/work-contracts?ownerId=${swiss.id}`);
    expect(one.body.items).toHaveLength(1);
    expect((await get('/directory/api/4.0/work-contracts?limit=1001')).status).toBe(400);
  });
});

describe('GET /api/v3/expenseClaims status', () => {
  it('serves statusId and the status object {id, name, code}, each selectable with fields', async () => {
    const { body } = await get('/api/v3/expenseClaims?fields=id,statusId,status.id,status.code,status[name]&paging=0,5');
    expect(body.data.items.length).toBeGreaterThan(0);
    for (const claim of body.data.items) {
      expect(claim.status).toEqual({ id: claim.statusId, name: expect.any(String), code: expect.any(String) });
    }
  });
});
