import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HappyPalAdminStateSchema,
  HappyPalErrorBodySchema,
  HappyPalUserSchema,
} from '../../activities/targets/happypal/schemas.js';
import { type HappyPalSimulator, startHappyPalSimulator } from '../../dev/simulators/happypal/server.js';

let sim: HappyPalSimulator;
let clock = new Date('2025-03-01T08:00:00.000Z');

async function api(method: string, path: string, body: unknown, key?: string) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${sim.apiKey}`,
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}
const errorOf = (body: unknown) => HappyPalErrorBodySchema.parse(body).error;
const state = async () => HappyPalAdminStateSchema.parse(await (await fetch(`${sim.url}/_admin/state`)).json());
const ann = { first_name: 'Ann', last_name: 'Lee', email: 'ann@acme.fr' };

beforeAll(async () => {
  sim = await startHappyPalSimulator({ rateLimitPerMinute: 0, now: () => clock });
});
afterAll(() => sim.close());
beforeEach(() => fetch(`${sim.url}/_admin/reset`, { method: 'POST' }));

describe('HappyPal Idempotency-Key', () => {
  it('replays the stored response for the same key and body: same status and body, one user', async () => {
    const first = await api('POST', '/v1/users', ann, 'create-ann');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    clock = new Date(clock.getTime() + 1000);
    const again = await api('POST', '/v1/users', JSON.stringify({ email: 'ann@acme.fr', last_name: 'Lee', first_name: 'Ann' }), 'create-ann');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(sim.state.users.size).toBe(1);
    expect((await state()).idempotencyReplays).toBe(1);
  });

  it('without a key, a retried create meets the duplicate-email rule instead', async () => {
    expect((await api('POST', '/v1/users', ann)).status).toBe(201);
    expect((await api('POST', '/v1/users', ann)).status).toBe(409);
  });

  it('refuses the same key with another body, method or path (422 idempotency_key_reused)', async () => {
    await api('POST', '/v1/users', ann, 'k1');
    const otherBody = await api('POST', '/v1/users', { ...ann, email: 'bob@acme.fr' }, 'k1');
    expect(otherBody.status).toBe(422);
    expect(errorOf(otherBody.body).code).toBe('idempotency_key_reused');
    const otherPath = await api('POST', '/v1/users/hp_usr_1/deactivate', undefined, 'k1');
    expect(errorOf(otherPath.body).code).toBe('idempotency_key_reused');
    expect(sim.state.users.size).toBe(1);
    expect(sim.state.users.get('hp_usr_1')?.status).toBe('active');
  });

  it('replays PATCH and status changes too, without a second update', async () => {
    await api('POST', '/v1/users', ann);
    const patched = await api('PATCH', '/v1/users/hp_usr_1', { last_name: 'Martin' }, 'p1');
    await api('PATCH', '/v1/users/hp_usr_1', { last_name: 'Hand' });
    const replay = await api('PATCH', '/v1/users/hp_usr_1', { last_name: 'Martin' }, 'p1');
    expect(replay.body).toEqual(patched.body);
    expect(sim.state.users.get('hp_usr_1')?.last_name).toBe('Hand');
    const off = await api('POST', '/v1/users/hp_usr_1/deactivate', undefined, 'd1');
    expect((await api('POST', '/v1/users/hp_usr_1/deactivate', undefined, 'd1')).body).toEqual(off.body);
  });

  it('replays a business conflict (409) but not a validation failure (422)', async () => {
    await api('POST', '/v1/users', ann);
    const conflict = await api('POST', '/v1/users', { ...ann, first_name: 'Other' }, 'dup');
    expect(conflict.status).toBe(409);
    const replay = await api('POST', '/v1/users', { ...ann, first_name: 'Other' }, 'dup');
    expect(replay.status).toBe(409);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await api('POST', '/v1/users', { ...ann, email: 'bad' }, 'fixme')).status).toBe(422);
    expect((await api('POST', '/v1/users', { ...ann, email: 'good@acme.fr' }, 'fixme')).status).toBe(201);
  });

  it('does not store injected 500s, so the retry with the same key executes', async () => {
    sim.faults.set('createUser', { errorRate: 1 });
    expect((await api('POST', '/v1/users', ann, 'k500')).status).toBe(500);
    sim.faults.clear();
    const retry = await api('POST', '/v1/users', ann, 'k500');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a write whose response was lost (injected drop) is committed; the retry replays it', async () => {
    sim.faults.set('createUser', { dropRate: 1 });
    await expect(api('POST', '/v1/users', ann, 'lost')).rejects.toThrow();
    expect(sim.state.users.size).toBe(1);
    sim.faults.clear();
    const retry = await api('POST', '/v1/users', ann, 'lost');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(sim.state.users.size).toBe(1);
    expect((await state()).requestCounts.createUser).toEqual({ dropped: 1, '201': 1 });
  });

  it('keeps keys 24 hours', async () => {
    await api('POST', '/v1/users', ann, 'day');
    clock = new Date(clock.getTime() + 23 * 3600_000);
    expect((await api('POST', '/v1/users', ann, 'day')).headers.get('idempotent-replayed')).toBe('true');
    clock = new Date(clock.getTime() + 2 * 3600_000);
    expect((await api('POST', '/v1/users', ann, 'day')).status).toBe(409);
  });

  it('refuses a malformed key', async () => {
    const res = await api('POST', '/v1/users', ann, 'x'.repeat(256));
    expect(res.status).toBe(422);
    expect(errorOf(res.body).code).toBe('idempotency_key_invalid');
    expect(sim.state.users.size).toBe(0);
  });
});

it('parses every stored user with the shared schema', async () => {
  await api('POST', '/v1/users', ann, 'z');
  for (const user of (await state()).users) expect(HappyPalUserSchema.safeParse(user).success).toBe(true);
});
