import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HappyPalAdminStateSchema, HappyPalErrorBodySchema } from '../../activities/targets/happypal/schemas.js';
import { type HappyPalSimulator, startHappyPalSimulator } from '../../dev/simulators/happypal/server.js';

let sim: HappyPalSimulator;
let clock = new Date('2025-03-01T08:00:00.000Z');

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${sim.url}/_admin${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
const state = async () => HappyPalAdminStateSchema.parse(await (await admin('GET', '/state')).json());
const ann = { first_name: 'Ann', last_name: 'Lee', email: 'ann@acme.fr' };

/** One request per endpoint name, on user hp_usr_1. */
const calls = {
  listUsers: () => api('GET', '/v1/users'),
  getUser: () => api('GET', '/v1/users/hp_usr_1'),
  createUser: () => api('POST', '/v1/users', { ...ann, email: `n${Math.random()}@acme.fr` }),
  updateUser: () => api('PATCH', '/v1/users/hp_usr_1', { first_name: 'Ann' }),
  deactivateUser: () => api('POST', '/v1/users/hp_usr_1/deactivate'),
  reactivateUser: () => api('POST', '/v1/users/hp_usr_1/reactivate'),
};

beforeAll(async () => {
  sim = await startHappyPalSimulator({ rateLimitPerMinute: 3, now: () => clock });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await admin('POST', '/reset');
  sim.state.seedUser(ann);
});

describe('HappyPal rate limit', () => {
  it('answers 429 rate_limited with Retry-After once the per-minute budget is spent', async () => {
    for (let i = 0; i < 3; i++) expect((await calls.listUsers()).status).toBe(200);
    const res = await calls.getUser();
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBe(60);
    expect(HappyPalErrorBodySchema.parse(JSON.parse(res.text)).error.code).toBe('rate_limited');
    clock = new Date(clock.getTime() + 30_000);
    expect(Number((await calls.getUser()).headers.get('retry-after'))).toBe(30);
    clock = new Date(clock.getTime() + 31_000);
    expect((await calls.getUser()).status).toBe(200);
  });

  it('is set through the admin API; 0 turns it off', async () => {
    await admin('POST', '/rate-limit', { perMinute: 0 });
    for (let i = 0; i < 10; i++) expect((await calls.listUsers()).status).toBe(200);
    await admin('POST', '/rate-limit', { perMinute: 1 });
    expect((await calls.listUsers()).status).toBe(200);
    expect((await calls.listUsers()).status).toBe(429);
    expect((await admin('POST', '/rate-limit', { perMinute: -1 })).status).toBe(422);
  });
});

describe('HappyPal fault switches', () => {
  beforeEach(() => admin('POST', '/rate-limit', { perMinute: 0 }));

  it.each(Object.keys(calls))('errorRate on %s fails that endpoint only', async (endpoint) => {
    await admin('POST', '/faults', { [endpoint]: { errorRate: 1 } });
    for (const [name, call] of Object.entries(calls)) {
      const res = await call();
      if (name === endpoint) expect(res.status, name).toBe(500);
      else expect(res.status, name).toBeLessThan(500);
    }
    const counts = (await state()).requestCounts;
    expect(counts[endpoint]?.['500']).toBe(1);
  });

  it("'*' applies to every endpoint; DELETE /_admin/faults lifts all switches", async () => {
    await admin('POST', '/faults', { '*': { errorRate: 1 } });
    for (const call of Object.values(calls)) expect((await call()).status).toBe(500);
    await admin('DELETE', '/faults');
    for (const call of Object.values(calls)) expect((await call()).status).toBeLessThan(500);
  });

  it('burst429 answers the next N requests 429 with the configured Retry-After', async () => {
    sim.faults.set('getUser', { burst429: 2, retryAfterSeconds: 7 });
    for (let i = 0; i < 2; i++) {
      const res = await calls.getUser();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
    }
    expect((await calls.getUser()).status).toBe(200);
  });

  it('dropRate destroys the socket; truncateRate cuts the body; latency delays', async () => {
    sim.faults.set('listUsers', { dropRate: 1 });
    await expect(calls.listUsers()).rejects.toThrow();
    sim.faults.set('getUser', { truncateRate: 1 });
    const cut = await calls.getUser();
    expect(cut.status).toBe(200);
    expect(() => JSON.parse(cut.text) as unknown).toThrow();
    sim.faults.set('updateUser', { latencyMs: 150 });
    const started = Date.now();
    expect((await calls.updateUser()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await state()).requestCounts.listUsers).toEqual({ dropped: 1 });
  });

  it('a gate lets its budget of requests through, holds the next ones until allowed, and opens on clear', async () => {
    const gate = sim.faults.gate('createUser', 1);
    expect((await calls.createUser()).status).toBe(201);
    const held = [calls.createUser(), calls.createUser()];
    const answered: number[] = [];
    for (const [i, p] of held.entries()) void p.then(() => answered.push(i));
    const untilWaiting = async (n: number) => {
      for (let i = 0; i < 200 && gate.waiting < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await untilWaiting(2);
    expect(gate.waiting).toBe(2);
    expect((await calls.getUser()).status).toBe(200); // other endpoints pass
    expect(answered).toEqual([]);
    gate.allow(1);
    expect(gate.waiting).toBe(1);
    expect((await Promise.race(held))?.status).toBe(201);
    expect(answered).toHaveLength(1); // the other one is still held
    sim.faults.clear();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([201, 201]);
    expect(gate.passed).toBe(3);
    expect((await calls.createUser()).status).toBe(201); // no gate any more
    expect(() => gate.allow(-1)).toThrow(/whole number/);
  });

  it('rejects bad fault specs with 422', async () => {
    expect((await admin('POST', '/faults', { getUser: { errorRate: 2 } })).status).toBe(422);
  });
});

describe('HappyPal per-record rejection (or failure) switch', () => {
  beforeEach(() => admin('POST', '/rate-limit', { perMinute: 0 }));

  it('makes writes on one email answer 422 or 409, any case, until lifted', async () => {
    await admin('POST', '/reject', { email: 'BAD@acme.fr', status: 422 });
    const bad = await api('POST', '/v1/users', { ...ann, email: 'bad@ACME.fr' });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { code: 'validation_failed', fields: { email: expect.any(Array) } } });
    expect((await api('POST', '/v1/users', { ...ann, email: 'good@acme.fr' })).status).toBe(201);

    await admin('POST', '/reject', { email: 'ann@acme.fr', status: 409 });
    const conflict = await api('PATCH', '/v1/users/hp_usr_1', { last_name: 'X' });
    expect(conflict.status).toBe(409);
    expect(JSON.parse(conflict.text)).toMatchObject({ error: { code: 'email_taken', existing_user_id: 'hp_usr_1' } });
    expect((await calls.deactivateUser()).status).toBe(409);
    await admin('POST', '/reject', { email: 'ann@acme.fr', status: null });
    expect((await calls.deactivateUser()).status).toBe(200);
    sim.state.reject('bad@acme.fr', null);
    expect((await api('POST', '/v1/users', { ...ann, email: 'bad@acme.fr' })).status).toBe(201);
  });

  it('status 500 fails every write on that one record (any case), not kept under the idempotency key; others pass', async () => {
    expect((await admin('POST', '/reject', { email: 'BROKEN@acme.fr', status: 500 })).status).toBe(200);
    const send = (key: string) => fetch(`${sim.url}/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ ...ann, email: 'broken@ACME.fr' }),
    });
    for (let i = 0; i < 3; i++) {
      const res = await send('key-broken-1');
      expect(res.status).toBe(500);
      expect(HappyPalErrorBodySchema.parse(await res.json()).error.code).toBe('internal');
    }
    expect((await api('POST', '/v1/users', { ...ann, email: 'fine@acme.fr' })).status).toBe(201);
    sim.state.reject('ann@acme.fr', 500);
    expect((await api('PATCH', '/v1/users/hp_usr_1', { last_name: 'X' })).status).toBe(500);
    expect((await calls.deactivateUser()).status).toBe(500);
    expect((await api('POST', '/v1/users/hp_usr_1/reactivate')).status).toBe(500);
    sim.state.reject('ann@acme.fr', null);

    // Lifted: the same key is served for real (the 500s were not stored), then replayed.
    await admin('POST', '/reject', { email: 'broken@acme.fr', status: null });
    const created = await send('key-broken-1');
    expect(created.status).toBe(201);
    expect((await send('key-broken-1')).headers.get('idempotent-replayed')).toBe('true');
    const dump = await state();
    expect(dump.users.filter((u) => u.email.toLowerCase() === 'broken@acme.fr')).toHaveLength(1);
    expect(dump.requestCounts.createUser).toMatchObject({ '500': 3, '201': 3 });
    expect((await admin('POST', '/reject', { email: 'x@acme.fr', status: 503 })).status).toBe(422);
  });
});

describe('HappyPal admin: hand edits, seeding, state', () => {
  it('records a hand edit with who and when, and stamps the user', async () => {
    clock = new Date('2025-04-02T09:30:00.000Z');
    const res = await admin('POST', '/users/hp_usr_1/hand-edit', { field: 'last_name', value: 'Lee-Hand', by: 'hr@client' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ last_name: 'Lee-Hand', updated_by: 'admin:hr@client', updated_at: clock.toISOString() });
    expect((await state()).editLog).toEqual([
      { user_id: 'hp_usr_1', field: 'last_name', old_value: 'Lee', new_value: 'Lee-Hand', by: 'admin:hr@client', at: clock.toISOString() },
    ]);
    sim.state.handEdit('hp_usr_1', 'birth_date', '1991-01-31', 'ops@client');
    expect(sim.state.dump().editLog.map((e) => [e.field, e.by])).toEqual([
      ['last_name', 'admin:hr@client'],
      ['birth_date', 'admin:ops@client'],
    ]);
  });

  it('validates hand edits like the API and answers 404 for an unknown user', async () => {
    const invalid = await admin('POST', '/users/hp_usr_1/hand-edit', { field: 'email', value: 'nope', by: 'hr' });
    expect(invalid.status).toBe(422);
    const unknown = await admin('POST', '/users/hp_usr_9/hand-edit', { field: 'last_name', value: 'X', by: 'hr' });
    expect(unknown.status).toBe(404);
    expect((await admin('POST', '/users/hp_usr_1/hand-edit', { field: 'status', value: 'x', by: 'hr' })).status).toBe(422);
    expect(sim.state.dump().editLog).toEqual([]);
  });

  it('seeds a pre-existing profile marked as made in HappyPal, which the API then finds', async () => {
    const res = await admin('POST', '/users', { first_name: 'Bo', last_name: 'Ek', email: 'bo@acme.fr', by: 'hr@client' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: 'hp_usr_2', updated_by: 'admin:hr@client', status: 'active' });
    expect(JSON.parse((await api('GET', '/v1/users?email=BO@acme.fr')).text)).toMatchObject({ meta: { total: 1 } });
    expect((await admin('POST', '/users', { first_name: 'Bo', last_name: 'Ek', email: 'BO@acme.fr' })).status).toBe(409);
  });

  it('dumps users, edit log, request counts per endpoint and status, and replays', async () => {
    await admin('POST', '/rate-limit', { perMinute: 0 });
    await calls.getUser();
    await api('GET', '/v1/users/hp_usr_404');
    await api('GET', '/v1/users', undefined);
    const dump = await state();
    expect(dump.users.map((u) => u.email)).toEqual(['ann@acme.fr']);
    expect(dump.requestCounts).toEqual({ getUser: { '200': 1, '404': 1 }, listUsers: { '200': 1 } });
    expect(dump.idempotencyReplays).toBe(0);
  });
});
