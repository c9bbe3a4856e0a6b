import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityOf } from '../../dev/simulators/data/activity.js';
import { generateCompany, isFormer, type Company } from '../../dev/simulators/data/company.js';
import { addExpenseClaim, cancelLeave } from '../../dev/simulators/data/mutations.js';
import { luccaGet } from '../../dev/simulators/lucca/fixtures.js';
import { startLuccaSimulator, type LuccaSimulator } from '../../dev/simulators/lucca/server.js';

let sim: LuccaSimulator;
let company: Company;
let base: string;
const get = (path: string, key = 'full-key') => luccaGet(`${base}${path}`, key);
const CORE = { seeFormer: true, seeFuture: true, hrFileSections: true };

beforeAll(async () => {
  sim = await startLuccaSimulator({ rateLimitPerMinute: 0 });
  company = generateCompany({ employees: 120, seed: 11 });
  sim.addInstance({
    name: 'acme',
    company,
    keys: [
      { key: 'full-key' },
      { key: 'core-key', role: CORE },
      { key: 'leaves-key', role: { ...CORE, leaves: true } },
    ],
  });
  base = sim.instanceUrl('acme');
});
afterAll(() => sim.close());

/** An owner with at least one active and one other leave period in the last year. */
function ownerWithLeaves(): number {
  const today = company.clock.today();
  const user = company.users.find((u) => !isFormer(u, today) && (activityOf(company, u.id)?.leaveRequests.length ?? 0) >= 3);
  if (!user) throw new Error('no owner with leaves');
  return user.id;
}

describe('GET /api/v3/leaves', () => {
  it('requires both a date filter and an owner scope (400 otherwise)', async () => {
    expect((await get('/api/v3/leaves')).status).toBe(400);
    expect((await get('/api/v3/leaves?leavePeriod.ownerId=1')).status).toBe(400);
    expect((await get('/api/v3/leaves?date=since,2025-01-01')).status).toBe(400);
    expect((await get('/api/v3/leaves?date=since,2025-01-01&leavePeriod.ownerId=1')).status).toBe(200);
    expect((await get('/api/v3/leaves?date=2025-03-03&leavePeriod.owner.departmentId=100')).status).toBe(200);
    expect((await get('/api/v3/leaves?date=between,2025-01-01,2025-02-01&leavePeriod.owner.legalEntityId=1')).status).toBe(200);
    const all = await get('/api/v3/leaves?date=since,2000-01-01&leavePeriod.ownerId=greaterthan,0&fields=collection.count');
    const expected = company.users.reduce((n, u) => n + (activityOf(company, u.id)?.leaves.length ?? 0), 0);
    expect(all.body.data.count).toBe(expected);
  });

  it('returns one row per half-day with the documented default projection', async () => {
    const owner = ownerWithLeaves();
    const { body } = await get(`/api/v3/leaves?date=since,2000-01-01&leavePeriod.ownerId=${owner}&paging=0,10000`);
    const rows = body.data.items as Array<{ id: string; date: string; isAm: boolean; leavePeriodId: number; isActive: boolean }>;
    expect(rows.length).toBe(activityOf(company, owner)?.leaves.length);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['id', 'date', 'isAm', 'leavePeriodId', 'isActive']);
      expect(row.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(typeof row.isAm).toBe('boolean');
    }
    const halfDays = rows.map((r) => `${r.date}/${r.isAm}`);
    expect(new Set(halfDays).size).toBe(rows.length);
    const request = activityOf(company, owner)!.leaveRequests.find((r) => r.endsOn > r.startsOn)!;
    const periodRows = rows.filter((r) => r.leavePeriodId === request.leavePeriodId);
    expect(periodRows.length).toBeGreaterThanOrEqual(2);
    expect(periodRows.every((r) => r.date >= request.startsOn && r.date <= request.endsOn)).toBe(true);
  });

  it('filters on the date window', async () => {
    const owner = ownerWithLeaves();
    const { body } = await get(`/api/v3/leaves?date=between,2025-01-01,2025-03-31&leavePeriod.ownerId=${owner}&paging=0,10000`);
    const expected = activityOf(company, owner)!.leaves.filter((l) => l.date >= '2025-01-01' && l.date <= '2025-03-31');
    expect(body.data.items.map((r: { id: string }) => r.id).sort()).toEqual(expected.map((l) => l.id).sort());
  });

  it('keeps cancelled half-days with isActive=false and a cancellationDate', async () => {
    const owner = ownerWithLeaves();
    const period = activityOf(company, owner)!.leaveRequests.find((r) => r.isActive)!.leavePeriodId;
    company.clock.set('2025-09-03T12:00:00Z'); // written as Paris wall time: 14:00 (CEST)
    cancelLeave(company, period);
    const query = `/api/v3/leaves?date=since,2000-01-01&leavePeriod.ownerId=${owner}&leavePeriodId=${period}&fields=id,isActive,cancellationDate,leavePeriod[id,ownerId]`;
    const rows = (await get(query)).body.data.items;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatchObject({ isActive: false, cancellationDate: '2025-09-03T14:00:00.000', leavePeriod: { id: period, ownerId: owner } });
    }
    expect((await get(`${query}&isActive=true`)).body.data.items).toEqual([]);
  });

  it('allows a page of up to 10,000 rows', async () => {
    expect((await get('/api/v3/leaves?date=since,2025-01-01&leavePeriod.ownerId=1&paging=0,10000')).status).toBe(200);
    expect((await get('/api/v3/leaves?date=since,2025-01-01&leavePeriod.ownerId=1&paging=0,10001')).status).toBe(400);
  });
});

describe('GET /api/v3/leaveRequests', () => {
  it('serves numeric statuses in the v3 envelope, id,name,url by default', async () => {
    const dflt = await get('/api/v3/leaveRequests?paging=0,5');
    expect(Object.keys(dflt.body)).toEqual(['header', 'data']);
    for (const item of dflt.body.data.items) expect(Object.keys(item)).toEqual(['id', 'name', 'url']);
    const { body } = await get('/api/v3/leaveRequests?fields=id,status,isActive,leavePeriod.ownerId,collection.count&paging=0,1000');
    expect(body.data.count).toBe(body.data.items.length);
    const statuses = new Set(body.data.items.map((r: { status: number }) => r.status));
    for (const status of statuses) expect([0, 2, 3, 4, 5]).toContain(status);
    expect(statuses.has(2)).toBe(true);
  });
});

describe('GET /api/v3/expenseClaims', () => {
  it('serves claims with Lucca enums, EUR and Lucca dates; filters by owner, declaredOn and modifiedOn', async () => {
    const { body } = await get('/api/v3/expenseClaims?fields=id,name,declaredOn,statusId,status,ownerId,currencyId,modifiedOn&paging=0,1000');
    expect(body.data.items.length).toBeGreaterThan(0);
    for (const claim of body.data.items) {
      expect(claim.statusId).toBeGreaterThanOrEqual(1);
      expect(claim.statusId).toBeLessThanOrEqual(9);
      expect(claim.status.id).toBe(claim.statusId);
      expect(claim.currencyId).toBe('EUR');
      // The documented form: the instant of the Paris day's midnight, in UTC (`…T23:00:00Z` or `…T22:00:00Z`).
      expect(claim.declaredOn).toMatch(/^\d{4}-\d{2}-\d{2}T2[23]:00:00Z$/);
    }
    const owner = body.data.items[0].ownerId as number;
    const mine = await get(`/api/v3/expenseClaims?ownerId=${owner}&fields=ownerId`);
    expect(mine.body.data.items.every((c: { ownerId: number }) => c.ownerId === owner)).toBe(true);
    const since = await get('/api/v3/expenseClaims?declaredOn=since,2025-06-01&fields=declaredOn');
    expect(since.body.data.items.every((c: { declaredOn: string }) => c.declaredOn >= '2025-06-01')).toBe(true);
    company.clock.set('2025-09-04T09:30:00Z');
    const claim = addExpenseClaim(company, { ownerId: owner, name: 'Taxi Orléans', amount: 31 });
    const fresh = await get('/api/v3/expenseClaims?modifiedOn=since,2025-09-04T09:00:00&fields=id,name');
    expect(fresh.body.data.items).toEqual([{ id: claim.id, name: 'Taxi Orléans' }]);
  });
});

describe('remuneration (v4)', () => {
  it('pages with page/limit (default 10, max 1000) and adds next/prev/count only when asked', async () => {
    const plain = await get('/remuneration/api/fixed-items');
    expect(Object.keys(plain.body)).toEqual(['items']);
    expect(plain.body.items).toHaveLength(10);
    expect(plain.body.items[0].nature.category.code).toBe('BASIC_SALARY');
    expect((await get('/remuneration/api/fixed-items?limit=1001')).status).toBe(400);
    expect((await get('/remuneration/api/fixed-items?page=0')).status).toBe(400);
    const first = await get('/remuneration/api/fixed-items?limit=100&fields.root=next,prev,count');
    expect(first.body.count).toBe(company.fixedItems.length);
    expect(first.body.prev).toBeNull();
    const seen: number[] = [];
    let next: string | null = `${base}/remuneration/api/fixed-items?limit=100&fields.root=next,prev,count`;
    while (next) {
      const page: { items: Array<{ id: number }>; next: string | null } = (await luccaGet(next, 'full-key')).body;
      seen.push(...page.items.map((i) => i.id));
      next = page.next;
    }
    expect(seen).toEqual(company.fixedItems.map((i) => i.id));
    const second = await get('/remuneration/api/fixed-items?limit=100&page=2&fields.root=prev');
    expect(second.body.prev).toContain('page=1');
  });

  it('filters by ownerIds and serves BONUS variable items with isDeleted (deleted ones with IncludeDeleted=true)', async () => {
    const owner = company.fixedItems[5]!.ownerId;
    const mine = await get(`/remuneration/api/fixed-items?ownerIds=${owner}&limit=1000`);
    expect(mine.body.items.map((i: { id: number }) => i.id)).toEqual(company.fixedItems.filter((i) => i.ownerId === owner).map((i) => i.id));
    const variable = await get('/remuneration/api/variable-items?limit=1000&fields.root=count&IncludeDeleted=true');
    expect(variable.body.count).toBe(company.variableItems.length);
    for (const item of variable.body.items) {
      expect(item.nature.category.code).toBe('BONUS');
      expect(typeof item.isDeleted).toBe('boolean');
    }
  });
});

describe('module permissions', () => {
  it('answers 403 on endpoints whose module the key lacks', async () => {
    const leaves = '/api/v3/leaves?date=since,2025-01-01&leavePeriod.ownerId=1';
    for (const path of [leaves, '/api/v3/leaveRequests', '/api/v3/expenseClaims', '/remuneration/api/fixed-items', '/remuneration/api/variable-items']) {
      expect((await get(path, 'core-key')).status, path).toBe(403);
    }
    expect((await get(leaves, 'leaves-key')).status).toBe(200);
    expect((await get('/api/v3/leaveRequests', 'leaves-key')).status).toBe(200);
    expect((await get('/api/v3/expenseClaims', 'leaves-key')).status).toBe(403);
    expect((await get('/api/v3/users', 'core-key')).status).toBe(200);
  });
});
