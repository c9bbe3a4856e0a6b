import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCompany, isFormer, isFuture, type Company } from '../../dev/simulators/data/company.js';
import { rename } from '../../dev/simulators/data/mutations.js';
import { FULL_ROLE, luccaGet } from '../../dev/simulators/lucca/fixtures.js';
import { startLuccaSimulator, type LuccaSimulator } from '../../dev/simulators/lucca/server.js';

const DATE = /^\d{4}-\d{2}-\d{2}T00:00:00$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/;
let sim: LuccaSimulator;
let company: Company;
let base: string;
const get = (path: string, key: string | null = 'full-key', scheme?: string) => luccaGet(`${base}${path}`, key, scheme);
const ids = (body: { data: { items: Array<{ id: number }> } }) => body.data.items.map((i) => i.id);

beforeAll(async () => {
  sim = await startLuccaSimulator({ rateLimitPerMinute: 0 });
  company = generateCompany({ employees: 300, seed: 7 });
  sim.addInstance({
    name: 'acme',
    company,
    keys: [
      { key: 'full-key', name: 'full', role: FULL_ROLE },
      { key: 'nohr-key', role: { seeFormer: true, seeFuture: true } },
      { key: 'noformer-key', role: { seeFuture: true, hrFileSections: true } },
      { key: 'nofuture-key', role: { seeFormer: true, hrFileSections: true } },
    ],
  });
  sim.addInstance({ name: 'big', company: generateCompany({ employees: 1100, seed: 8, invalidShare: 0 }), keys: [{ key: 'big-key' }] });
  base = sim.instanceUrl('acme');
});
afterAll(() => sim.close());

describe('auth', () => {
  it.each(['lucca', 'Lucca', 'LUCCA'])('accepts the %s scheme', async (scheme) => {
    expect((await get('/api/v3/users', 'full-key', scheme)).status).toBe(200);
  });
  it('answers 401 without a key, with an unknown key, or with another scheme', async () => {
    expect((await get('/api/v3/users', null)).status).toBe(401);
    expect((await get('/api/v3/users', 'nope')).status).toBe(401);
    const bearer = await fetch(`${base}/api/v3/users`, { headers: { authorization: 'Bearer full-key' } });
    expect(bearer.status).toBe(401);
  });
});

describe('GET /api/v3/users', () => {
  it('wraps items in the v3 envelope with header generated/principal/processId', async () => {
    const { body } = await get('/api/v3/users?paging=0,5');
    expect(Object.keys(body).sort()).toEqual(['data', 'header']);
    expect(body.header.principal).toBe('full');
    expect(body.header.generated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/);
    expect(typeof body.header.processId).toBe('number');
    expect(Object.keys(body.data)).toEqual(['items']);
  });

  it('projects only id, name and url by default', async () => {
    const { body } = await get('/api/v3/users');
    for (const item of body.data.items) {
      expect(Object.keys(item)).toEqual(['id', 'name', 'url']);
      const user = company.byId.get(item.id);
      expect(item.name).toBe(user?.lastName ? `${user.firstName} ${user.lastName}` : user?.firstName);
      expect(item.url).toBe(`${base}/api/v3/users/${item.id}`);
    }
  });

  it('projects flat, dotted and bracketed fields, case-insensitively (an unknown name is a 400: lucca-strict)', async () => {
    const flat = await get('/api/v3/users?fields=id,firstName,LASTNAME,mail&paging=0,3');
    expect(Object.keys(flat.body.data.items[0])).toEqual(['id', 'firstName', 'lastName', 'mail']);
    const dotted = await get('/api/v3/users?fields=id,manager.id,department.name&paging=1,1');
    const item = dotted.body.data.items[0];
    const user = company.byId.get(item.id);
    expect(item).toEqual({ id: user?.id, manager: { id: user?.managerId }, department: { name: company.departments.find((d) => d.id === user?.departmentId)?.name } });
    const brackets = await get('/api/v3/users?fields=id,department[id,name],legalEntity[id]&paging=0,1');
    expect(Object.keys(brackets.body.data.items[0].department)).toEqual(['id', 'name']);
    expect(Object.keys(brackets.body.data.items[0].legalEntity)).toEqual(['id']);
    expect((await get('/api/v3/users?fields=id,department[id')).status).toBe(400);
  });

  it('writes dates the Lucca way', async () => {
    const { body } = await get('/api/v3/users?formerEmployees=true&fields=id,birthDate,dtContractStart,dtContractEnd,modifiedAt');
    for (const item of body.data.items) {
      expect(item.birthDate).toMatch(DATE);
      expect(item.dtContractStart).toMatch(DATE);
      expect(item.modifiedAt).toMatch(DATETIME);
      const end = company.byId.get(item.id)?.dtContractEnd;
      if (end === null) expect(item.dtContractEnd).toBeNull();
      else expect(item.dtContractEnd).toBe(`${end}T00:00:00`);
    }
  });

  it('caps paging at 1000 (400 above), defaults to 1000, and pages stably by id', async () => {
    expect((await get('/api/v3/users?paging=0,1001')).status).toBe(400);
    expect((await get('/api/v3/users?paging=nonsense')).status).toBe(400);
    expect((await get('/api/v3/users?paging=0,1000')).status).toBe(200);
    const big = await luccaGet(`${sim.instanceUrl('big')}/api/v3/users?formerEmployees=true`, 'big-key');
    expect(big.body.data.items).toHaveLength(1000);
    const all = ids((await get('/api/v3/users?formerEmployees=true&paging=0,1000')).body);
    const paged: number[] = [];
    for (let offset = 0; offset < all.length + 40; offset += 40) paged.push(...ids((await get(`/api/v3/users?formerEmployees=true&paging=${offset},40`)).body));
    expect(paged).toEqual(all);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
  });

  it('counts matches with collection.count, alone or with other fields', async () => {
    const today = company.clock.today();
    const current = company.users.filter((u) => !isFormer(u, today)).length;
    expect((await get('/api/v3/users?fields=collection.count')).body.data).toEqual({ count: current });
    const both = await get('/api/v3/users?fields=id,collection.count&paging=0,10');
    expect(both.body.data.items).toHaveLength(10);
    expect(both.body.data.count).toBe(current);
  });

  it('leaves former employees out unless formerEmployees=true (or a dtContractEnd filter)', async () => {
    const today = company.clock.today();
    const formers = company.users.filter((u) => isFormer(u, today)).map((u) => u.id);
    expect(formers.length).toBeGreaterThan(0);
    const byDefault = ids((await get('/api/v3/users')).body);
    expect(byDefault.filter((id) => formers.includes(id))).toEqual([]);
    expect(ids((await get('/api/v3/users?formerEmployees=false')).body)).toEqual(byDefault);
    const withFormer = ids((await get('/api/v3/users?formerEmployees=true')).body);
    expect(withFormer).toHaveLength(company.users.length);
    const ended = ids((await get('/api/v3/users?dtContractEnd=notequal,null')).body);
    expect(ended).toEqual(company.users.filter((u) => u.dtContractEnd !== null).map((u) => u.id));
    const until = ids((await get(`/api/v3/users?dtContractEnd=until,${today},null`)).body);
    expect(until).toEqual(company.users.filter((u) => u.dtContractEnd === null || u.dtContractEnd <= today).map((u) => u.id));
  });

  it('filters silently by role: no birthDate without HR files, no former / future people without the rights', async () => {
    const today = company.clock.today();
    const noHr = await get('/api/v3/users?fields=id,birthDate,firstName', 'nohr-key');
    for (const item of noHr.body.data.items) expect(Object.keys(item)).toEqual(['id', 'firstName']);
    const noFormer = ids((await get('/api/v3/users?formerEmployees=true', 'noformer-key')).body);
    expect(noFormer.some((id) => isFormer(company.byId.get(id)!, today))).toBe(false);
    expect(noFormer.length).toBe(company.users.filter((u) => !isFormer(u, today)).length);
    const futures = company.users.filter((u) => isFuture(u, today)).map((u) => u.id);
    expect(futures.length).toBeGreaterThan(0);
    expect(ids((await get('/api/v3/users')).body)).toEqual(expect.arrayContaining(futures));
    const noFuture = ids((await get('/api/v3/users?formerEmployees=true', 'nofuture-key')).body);
    expect(noFuture.filter((id) => futures.includes(id))).toEqual([]);
    const former = company.users.find((u) => isFormer(u, today))!;
    expect((await get(`/api/v3/users/${former.id}`, 'noformer-key')).status).toBe(404);
  });

  it('filters by modifiedAt (since / until / between) on the model clock, in Paris wall time', async () => {
    company.clock.set('2025-09-02T10:00:00.000Z'); // 12:00 in Paris (CEST, +02:00)
    const target = company.users[10]!;
    rename(company, target.id, { firstName: 'Zoë-Anaïs' });
    const since = await get('/api/v3/users?formerEmployees=true&modifiedAt=since,2025-09-02T11:59:59&fields=id,firstName,modifiedAt');
    expect(since.body.data.items).toEqual([{ id: target.id, firstName: 'Zoë-Anaïs', modifiedAt: '2025-09-02T12:00:00.000' }]);
    // since includes its bound (RDD: >=): a record modified exactly at the value is returned.
    expect(ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=since,2025-09-02T12:00:00')).body)).toEqual([target.id]);
    expect(ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=greaterthan,2025-09-02T12:00:00')).body)).toEqual([]);
    // With an offset, the instant is converted to Paris time: 10:00Z is 12:00 in Paris.
    expect(ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=since,2025-09-02T10:00:00Z')).body)).toEqual([target.id]);
    expect(ids((await get(`/api/v3/users?formerEmployees=true&modifiedAt=since,${encodeURIComponent('2025-09-02T12:00:00.001+02:00')}`)).body)).toEqual([]);
    // The UTC wall time written without offset is read as Paris time: two hours earlier, so it still matches.
    expect(ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=since,2025-09-02T10:00:00')).body)).toEqual([target.id]);
    const until = ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=until,2025-09-02T11:59:59')).body);
    expect(until).not.toContain(target.id);
    expect(until).toHaveLength(company.users.length - 1);
    const between = ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=between,2025-09-02T11:00:00,2025-09-02T13:00:00')).body);
    expect(between).toEqual([target.id]);
    // between's end without a time is the end of that day (RDD ToMidnightTimeIfEmpty).
    expect(ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=between,2025-09-02,2025-09-02')).body)).toContain(target.id);
    // RDD's keywords, on the model clock.
    expect(ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=since,today')).body)).toContain(target.id);
    expect(ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=since,tomorrow')).body)).toEqual([]);
    // Malformed values are refused as RDD refuses them.
    for (const bad of ['since,2025-13-01T00:00:00', 'since,2025-02-30', 'since,notadate', 'between,2025-09-01', 'since']) {
      const res = await get(`/api/v3/users?modifiedAt=${bad}`);
      expect(res.status, bad).toBe(400);
    }
    expect((await get('/api/v3/users?modifiedAt=since,2025-09-01T10:00:00,foo')).status).toBe(400);
  });

  it('modifiedAt across the autumn clock change: Paris wall time repeats an hour, and Lucca compares wall times', async () => {
    // 2025-10-26: 03:00 CEST becomes 02:00 CET. 00:45Z is 02:45 CEST; 01:30Z is 02:30 CET (later, but an earlier wall time).
    company.clock.set('2025-10-26T00:45:00.000Z');
    const first = company.users[20]!;
    rename(company, first.id, { firstName: 'Avant' });
    company.clock.set('2025-10-26T01:30:00.000Z');
    const second = company.users[21]!;
    rename(company, second.id, { firstName: 'Après' });
    const seen = (await get('/api/v3/users?formerEmployees=true&modifiedAt=since,2025-10-26T00:00:00&fields=id,modifiedAt')).body.data.items;
    expect(seen).toEqual([{ id: first.id, modifiedAt: '2025-10-26T02:45:00.000' }, { id: second.id, modifiedAt: '2025-10-26T02:30:00.000' }]);
    // A cursor taken at 02:45 (first pass) written as wall time misses the change made an instant later at 02:30 (second pass).
    expect(ids((await get('/api/v3/users?formerEmployees=true&modifiedAt=since,2025-10-26T02:45:00')).body)).toEqual([first.id]);
    // The same instant sent with its offset is converted to the same wall time: the offset does not save it either.
    expect(ids((await get(`/api/v3/users?formerEmployees=true&modifiedAt=since,${encodeURIComponent('2025-10-26T02:45:00+02:00')}`)).body)).toEqual([first.id]);
  });

  it('filters by id list and exact mail', async () => {
    expect(ids((await get('/api/v3/users?id=3,1,2')).body)).toEqual([1, 2, 3]);
    const user = company.users.find((u) => !isFormer(u, company.clock.today()) && u.mail.includes('@') && u.id > 5)!;
    expect(ids((await get(`/api/v3/users?mail=${encodeURIComponent(user.mail.toLowerCase())}`)).body)).toEqual([user.id]);
  });
});

describe('GET /api/v3/users/:id', () => {
  it('returns the object itself under data, 404 for an unknown id', async () => {
    const { status, body } = await get('/api/v3/users/5?fields=id,mail');
    expect(status).toBe(200);
    expect(body.data).toEqual({ id: 5, mail: company.byId.get(5)?.mail });
    expect(Object.keys((await get('/api/v3/users/5')).body.data)).toEqual(['id', 'name', 'url']);
    expect((await get('/api/v3/users/999999')).status).toBe(404);
  });
});

describe('routing', () => {
  it('also routes on the Host header <tenant>.ilucca.net, and 404s unknown instances', async () => {
    const res = await request(`${sim.url}/api/v3/users?paging=0,1`, { headers: { host: 'acme.ilucca.net', authorization: 'lucca application=full-key' } });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { data: { items: unknown[] } }).data.items).toHaveLength(1);
    expect((await luccaGet(`${sim.url}/t/nobody/api/v3/users`, 'full-key')).status).toBe(404);
  });
});
