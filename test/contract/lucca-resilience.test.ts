import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCompany, type Company } from '../../dev/simulators/data/company.js';
import { luccaGet } from '../../dev/simulators/lucca/fixtures.js';
import { startLuccaSimulator, type LuccaSimulator } from '../../dev/simulators/lucca/server.js';
import type { StatsSnapshot } from '../../dev/simulators/lucca/stats.js';

let sim: LuccaSimulator;
let acme: Company;
let globex: Company;
const users = (instance = 'acme', key = 'acme-key') => luccaGet(`${sim.instanceUrl(instance)}/api/v3/users?paging=0,5&fields=id,firstName`, key);
const leaves = () => luccaGet(`${sim.instanceUrl('acme')}/api/v3/leaves?date=since,2025-01-01&leavePeriod.ownerId=1`, 'acme-key');
const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${sim.url}/_admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

beforeAll(async () => {
  sim = await startLuccaSimulator({ rateLimitPerMinute: 0, requestTimeoutMs: 200 });
  acme = generateCompany({ employees: 40, seed: 1 });
  globex = generateCompany({ employees: 30, seed: 2, company: { name: 'Globex', domain: 'Globex.fr' } });
  sim.addInstance({ name: 'acme', company: acme, keys: [{ key: 'acme-key' }, { key: 'acme-key-2' }] });
  sim.addInstance({ name: 'globex', company: globex, keys: [{ key: 'globex-key' }] });
});
afterEach(() => {
  sim.faults.clear();
  sim.setRateLimit(0);
});
afterAll(() => sim.close());

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-minute budget, shared by every key of an instance', async () => {
    sim.setRateLimit(3);
    expect((await users('acme', 'acme-key')).status).toBe(200);
    expect((await users('acme', 'acme-key-2')).status).toBe(200);
    expect((await users('acme', 'acme-key')).status).toBe(200);
    const limited = await users('acme', 'acme-key-2');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect((await users('globex', 'globex-key')).status).toBe(200);
  });

  it('is changed at runtime through the admin API (0 = off)', async () => {
    expect((await admin('POST', '/rate-limit', { perMinute: 1 })).status).toBe(200);
    expect((await users()).status).toBe(200);
    expect((await users()).status).toBe(429);
    expect((await admin('POST', '/rate-limit', { perMinute: 0 })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await users()).status).toBe(200);
  });
});

describe('timeouts and faults', () => {
  it('answers 408 at requestTimeoutMs when a request is held longer', async () => {
    sim.faults.set('users', { latencyMs: 2000 });
    const started = Date.now();
    expect((await users()).status).toBe(408);
    expect(Date.now() - started).toBeLessThan(1500);
    sim.faults.set('users', { latencyMs: 50 });
    expect((await users()).status).toBe(200);
  });

  it('injects 500s on the named endpoint only', async () => {
    sim.faults.set('users', { errorRate: 1 });
    expect((await users()).status).toBe(500);
    expect((await leaves()).status).toBe(200);
  });

  it('injects a burst of 429s with Retry-After, then serves again', async () => {
    sim.faults.set('leaves', { burst429: 2, retryAfterSeconds: 3 });
    const first = await leaves();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect((await leaves()).status).toBe(429);
    expect((await leaves()).status).toBe(200);
  });

  it('drops connections and truncates JSON bodies', async () => {
    sim.faults.set('users', { dropRate: 1 });
    await expect(users()).rejects.toThrow();
    sim.faults.clear();
    sim.faults.set('*', { truncateRate: 1 });
    const cut = await leaves();
    expect(cut.status).toBe(200);
    expect(() => JSON.parse(cut.text)).toThrow();
  });

  it('answers an HTML login page with status 200 (a proxy or SSO portal in front of the API)', async () => {
    sim.faults.set('users', { htmlRate: 1 });
    const page = await fetch(`${sim.instanceUrl('acme')}/api/v3/users?paging=0,5&fields=id`, { headers: { authorization: 'lucca application=acme-key' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>Sign in');
    expect((await leaves()).status).toBe(200);
  });

  it('sets and clears faults through the admin API', async () => {
    expect((await admin('POST', '/faults', { users: { errorRate: 1 } })).status).toBe(200);
    expect((await users()).status).toBe(500);
    expect((await admin('DELETE', '/faults')).status).toBe(200);
    expect((await users()).status).toBe(200);
    expect((await admin('POST', '/faults', { users: { errorRate: 7 } })).status).toBe(400);
  });
});

describe('instances', () => {
  it('keeps instances apart: data, keys and mutations', async () => {
    expect((await users('acme', 'globex-key')).status).toBe(401);
    expect((await users('globex', 'acme-key')).status).toBe(401);
    const a = await luccaGet(`${sim.instanceUrl('acme')}/api/v3/users?fields=mail&paging=0,1`, 'acme-key');
    const g = await luccaGet(`${sim.instanceUrl('globex')}/api/v3/users?fields=mail&paging=0,1`, 'globex-key');
    expect(a.body.data.items[0].mail).toContain(acme.domain);
    expect(g.body.data.items[0].mail).toContain('@Globex.fr');
    const res = await admin('POST', '/instances/acme/mutate', { op: 'rename', userId: 1, firstName: 'Hélène-Marie' });
    expect(res.status).toBe(200);
    expect((await users('acme')).body.data.items[0]).toEqual({ id: 1, firstName: 'Hélène-Marie' });
    expect((await users('globex', 'globex-key')).body.data.items[0].firstName).toBe(globex.byId.get(1)?.firstName);
    expect(globex.byId.get(1)?.firstName).not.toBe('Hélène-Marie');
  });
});

describe('admin API', () => {
  it('reports state, applies mutations, validates bodies and counts requests', async () => {
    const state = await (await admin('GET', '/instances/globex/state')).json();
    expect(state).toMatchObject({ users: 30, invalid: 1, today: '2025-09-01' });
    const hired = await admin('POST', '/instances/globex/mutate', { op: 'hire', firstName: "Anne-Sophie", lastName: "N'Diaye", birthDate: '1990-04-02' });
    expect(hired.status).toBe(200);
    const { result } = (await hired.json()) as { result: unknown };
    expect(result).toMatchObject({ id: 31, mail: 'Anne-Sophie.NDiaye@Globex.fr', dtContractStart: '2025-09-01' });
    expect((await admin('POST', '/instances/globex/mutate', { op: 'remove', userId: 31 })).status).toBe(200);
    expect((await admin('POST', '/instances/globex/mutate', { op: 'remove', userId: 31 })).status).toBe(404);
    expect((await admin('POST', '/instances/globex/mutate', { op: 'explode' })).status).toBe(400);
    expect((await admin('GET', '/instances/nobody/state')).status).toBe(404);

    await admin('DELETE', '/stats');
    await users();
    await users('acme', 'wrong');
    const stats = (await (await admin('GET', '/stats')).json()) as StatsSnapshot;
    expect(stats.total).toBe(2);
    expect(stats.byEndpoint.users).toEqual({ total: 2, byStatus: { 200: 1, 401: 1 } });
    expect(stats.byInstance.acme?.total).toBe(2);
  });
});
