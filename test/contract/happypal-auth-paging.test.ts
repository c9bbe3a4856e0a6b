import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HappyPalErrorBodySchema,
  HappyPalUserListSchema,
} from '../../activities/targets/happypal/schemas.js';
import { type HappyPalSimulator, startHappyPalSimulator } from '../../dev/simulators/happypal/server.js';

let sim: HappyPalSimulator;

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}
const errorOf = (body: unknown) => HappyPalErrorBodySchema.parse(body).error;
const listOf = (body: unknown) => HappyPalUserListSchema.parse(body);

beforeAll(async () => {
  sim = await startHappyPalSimulator({ rateLimitPerMinute: 0 });
});
afterAll(() => sim.close());
beforeEach(() => fetch(`${sim.url}/_admin/reset`, { method: 'POST' }));

describe('HappyPal auth', () => {
  it('answers 401 unauthorized without a key, with an unknown key, or with another scheme', async () => {
    for (const authorization of ['', 'Bearer nope', `Basic ${sim.apiKey}`, sim.apiKey]) {
      const res = await api('GET', '/v1/users', undefined, { authorization });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(errorOf(res.body).code).toBe('unauthorized');
    }
  });

  it('refuses writes without a key and creates nothing', async () => {
    const res = await api('POST', '/v1/users', { first_name: 'A', last_name: 'B', email: 'a@b.fr' }, {
      authorization: '',
    });
    expect(res.status).toBe(401);
    expect(sim.state.users.size).toBe(0);
  });

  it('accepts the configured key, scheme case-insensitively', async () => {
    expect((await api('GET', '/v1/users', undefined, { authorization: `bearer ${sim.apiKey}` })).status).toBe(200);
    const custom = await startHappyPalSimulator({ apiKey: 'other-key' });
    const res = await fetch(`${custom.url}/v1/users`, { headers: { authorization: 'Bearer other-key' } });
    expect(res.status).toBe(200);
    await custom.close();
  });

  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    expect((await api('GET', '/v2/users')).status).toBe(404);
    expect((await api('GET', '/v1/users/hp_usr_1/archive')).status).toBe(404);
    const res = await api('DELETE', '/v1/users/hp_usr_1');
    expect(res.status).toBe(405);
    expect(errorOf(res.body).code).toBe('method_not_allowed');
  });
});

describe('HappyPal paging', () => {
  beforeEach(() => {
    for (let i = 1; i <= 25; i++) {
      sim.state.seedUser({ first_name: `F${i}`, last_name: `L${i}`, email: `user${i}@acme.fr` });
    }
  });

  it('defaults to page 1 of 100 and reports total and next_page', async () => {
    const list = listOf((await api('GET', '/v1/users')).body);
    expect(list.meta).toEqual({ page: 1, per_page: 100, total: 25, next_page: null });
    expect(list.data).toHaveLength(25);
  });

  it('walks pages in stable id order without gaps or repeats', async () => {
    const seen: string[] = [];
    let page: number | null = 1;
    while (page !== null) {
      const list = listOf((await api('GET', `/v1/users?page=${page}&per_page=10`)).body);
      seen.push(...list.data.map((u) => u.id));
      expect(list.meta.total).toBe(25);
      page = list.meta.next_page;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `hp_usr_${i + 1}`));
    const again = listOf((await api('GET', '/v1/users?page=2&per_page=10')).body);
    expect(again.data.map((u) => u.id)).toEqual(seen.slice(10, 20));
  });

  it('keeps order after updates and answers an empty page past the end', async () => {
    await api('PATCH', '/v1/users/hp_usr_3', { first_name: 'Changed' });
    const first = listOf((await api('GET', '/v1/users?per_page=5')).body);
    expect(first.data.map((u) => u.id)).toEqual(['hp_usr_1', 'hp_usr_2', 'hp_usr_3', 'hp_usr_4', 'hp_usr_5']);
    const past = listOf((await api('GET', '/v1/users?page=9&per_page=5')).body);
    expect(past.data).toEqual([]);
    expect(past.meta.next_page).toBeNull();
  });

  it('accepts per_page 1000 and refuses more, or a bad page, with 422', async () => {
    expect((await api('GET', '/v1/users?per_page=1000')).status).toBe(200);
    for (const query of ['per_page=1001', 'per_page=0', 'page=0', 'page=abc', 'per_page=2.5']) {
      const res = await api('GET', `/v1/users?${query}`);
      expect(res.status, query).toBe(422);
      expect(errorOf(res.body).code).toBe('validation_failed');
    }
    expect(errorOf((await api('GET', '/v1/users?per_page=1001')).body).fields).toEqual({
      per_page: ['must be at most 1000'],
    });
  });

  it('filters by status, in id order, with paging', async () => {
    await api('POST', '/v1/users/hp_usr_7/deactivate');
    await api('POST', '/v1/users/hp_usr_2/deactivate');
    const inactive = listOf((await api('GET', '/v1/users?status=inactive')).body);
    expect(inactive.data.map((u) => u.id)).toEqual(['hp_usr_2', 'hp_usr_7']);
    const active = listOf((await api('GET', '/v1/users?status=active&per_page=5&page=5')).body);
    expect(active.meta).toEqual({ page: 5, per_page: 5, total: 23, next_page: null });
    expect(active.data.map((u) => u.id)).toEqual(['hp_usr_23', 'hp_usr_24', 'hp_usr_25']);
    expect((await api('GET', '/v1/users?status=gone')).status).toBe(422);
  });
});

describe('HappyPal search by email', () => {
  it('matches exactly, in any case, trimmed, in either Unicode form', async () => {
    sim.state.seedUser({ first_name: 'José', last_name: 'Núñez', email: 'Jose.Nunez@Acme.fr' });
    sim.state.seedUser({ first_name: 'Zoé', last_name: 'Égal', email: 'zo\u00e9@acme.fr' });
    for (const email of ['jose.nunez@acme.fr', 'JOSE.NUNEZ@ACME.FR', ' Jose.Nunez@acme.FR ']) {
      const list = listOf((await api('GET', `/v1/users?email=${encodeURIComponent(email)}`)).body);
      expect(list.data.map((u) => u.id)).toEqual(['hp_usr_1']);
    }
    const decomposed = 'ZOE\u0301@ACME.FR';
    const list = listOf((await api('GET', `/v1/users?email=${encodeURIComponent(decomposed)}`)).body);
    expect(list.data.map((u) => u.email)).toEqual(['zo\u00e9@acme.fr']);
  });

  it('does not match a prefix or another address, and combines with status', async () => {
    sim.state.seedUser({ first_name: 'A', last_name: 'B', email: 'ab@acme.fr' });
    for (const email of ['ab@acme', 'b@acme.fr', 'ab@acme.fr.x']) {
      expect(listOf((await api('GET', `/v1/users?email=${email}`)).body).meta.total).toBe(0);
    }
    expect(listOf((await api('GET', '/v1/users?email=ab@acme.fr&status=inactive')).body).meta.total).toBe(0);
    expect(listOf((await api('GET', '/v1/users?email=ab@acme.fr&status=active')).body).meta.total).toBe(1);
  });
});
