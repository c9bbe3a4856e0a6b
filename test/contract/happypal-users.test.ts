import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HappyPalErrorBodySchema, HappyPalUserSchema } from '../../activities/targets/happypal/schemas.js';
import { type HappyPalSimulator, startHappyPalSimulator } from '../../dev/simulators/happypal/server.js';

let sim: HappyPalSimulator;
let clock = new Date('2025-03-01T08:00:00.000Z');
const tick = (ms = 60_000) => (clock = new Date(clock.getTime() + ms));

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
const userOf = (body: unknown) => HappyPalUserSchema.parse(body);
const errorOf = (body: unknown) => HappyPalErrorBodySchema.parse(body).error;
const ann = { first_name: 'Ann', last_name: 'Lee', email: 'ann.lee@acme.fr' };

beforeAll(async () => {
  sim = await startHappyPalSimulator({ rateLimitPerMinute: 0, now: () => clock });
});
afterAll(() => sim.close());
beforeEach(() => fetch(`${sim.url}/_admin/reset`, { method: 'POST' }));

describe('HappyPal create / get / update', () => {
  it('creates a user with defaults, ids in sequence, and gets it back', async () => {
    const res = await api('POST', '/v1/users', { ...ann, birth_date: '1990-05-17', contract_start: '2020-01-01' });
    expect(res.status).toBe(201);
    expect(userOf(res.body)).toEqual({
      id: 'hp_usr_1',
      external_id: null,
      ...ann,
      birth_date: '1990-05-17',
      contract_start: '2020-01-01',
      contract_end: null,
      status: 'active',
      custom_attributes: {},
      created_at: clock.toISOString(),
      updated_at: clock.toISOString(),
      updated_by: 'api',
    });
    expect(userOf((await api('GET', '/v1/users/hp_usr_1')).body)).toEqual(res.body);
    const second = await api('POST', '/v1/users', { ...ann, email: 'b@acme.fr', external_id: 'lucca-42' });
    expect(userOf(second.body)).toMatchObject({ id: 'hp_usr_2', external_id: 'lucca-42' });
  });

  it('stores names and email trimmed and NFC, keeping the email case', async () => {
    const res = await api('POST', '/v1/users', { first_name: '  Zoe\u0301 ', last_name: ' Lee', email: ' Zoe\u0301@Acme.FR ' });
    expect(userOf(res.body)).toMatchObject({ first_name: 'Zoe\u0301', last_name: 'Lee', email: 'Zo\u00e9@Acme.FR' });
  });

  it('answers 404 for an unknown id on get, patch, deactivate and reactivate', async () => {
    for (const [method, path] of [
      ['GET', '/v1/users/hp_usr_9'],
      ['PATCH', '/v1/users/hp_usr_9'],
      ['POST', '/v1/users/hp_usr_9/deactivate'],
      ['POST', '/v1/users/nope/reactivate'],
    ] as const) {
      const res = await api(method, path, method === 'PATCH' ? { first_name: 'X' } : undefined);
      expect(res.status, path).toBe(404);
      expect(errorOf(res.body).code).toBe('not_found');
    }
  });

  it('patches some fields, stamps updated_at / updated_by, keeps the rest', async () => {
    await api('POST', '/v1/users', { ...ann, contract_start: '2020-01-01' });
    tick();
    const res = await api('PATCH', '/v1/users/hp_usr_1', { last_name: 'Lee-Martin', contract_end: '2025-06-30' });
    expect(res.status).toBe(200);
    const user = userOf(res.body);
    expect(user).toMatchObject({ ...ann, last_name: 'Lee-Martin', contract_start: '2020-01-01', contract_end: '2025-06-30' });
    expect(user.updated_at).toBe(clock.toISOString());
    expect(user.created_at).not.toBe(user.updated_at);
    const cleared = userOf((await api('PATCH', '/v1/users/hp_usr_1', { contract_end: null })).body);
    expect(cleared.contract_end).toBeNull();
  });

  it('leaves updated_at alone when a patch changes nothing', async () => {
    const created = userOf((await api('POST', '/v1/users', ann)).body);
    tick();
    const same = userOf((await api('PATCH', '/v1/users/hp_usr_1', { first_name: 'Ann', email: 'ANN.LEE@acme.fr' })).body);
    expect(same.email).toBe('ANN.LEE@acme.fr');
    const noop = userOf((await api('PATCH', '/v1/users/hp_usr_1', { email: 'ANN.LEE@acme.fr' })).body);
    expect(noop.updated_at).toBe(same.updated_at);
    expect(userOf((await api('PATCH', '/v1/users/hp_usr_1', {})).body).updated_at).toBe(same.updated_at);
    expect(created.updated_at).not.toBe(same.updated_at);
  });
});

describe('HappyPal email uniqueness (409)', () => {
  it('refuses a duplicate email in any case, spacing or Unicode form, naming the owner', async () => {
    await api('POST', '/v1/users', { ...ann, email: 'zo\u00e9@acme.fr' });
    for (const email of ['zo\u00e9@acme.fr', 'ZO\u00c9@ACME.FR', ' Zoe\u0301@Acme.fr ']) {
      const res = await api('POST', '/v1/users', { ...ann, email });
      expect(res.status, email).toBe(409);
      expect(errorOf(res.body)).toMatchObject({ code: 'email_taken', existing_user_id: 'hp_usr_1' });
    }
    expect(sim.state.users.size).toBe(1);
  });

  it('counts inactive users, and applies to PATCH too', async () => {
    await api('POST', '/v1/users', ann);
    await api('POST', '/v1/users/hp_usr_1/deactivate');
    expect((await api('POST', '/v1/users', { ...ann, email: 'Ann.Lee@acme.fr' })).status).toBe(409);
    await api('POST', '/v1/users', { ...ann, email: 'other@acme.fr' });
    const res = await api('PATCH', '/v1/users/hp_usr_2', { email: 'ANN.LEE@ACME.FR' });
    expect(res.status).toBe(409);
    expect(errorOf(res.body).existing_user_id).toBe('hp_usr_1');
    await api('PATCH', '/v1/users/hp_usr_1', { email: 'moved@acme.fr' });
    expect((await api('PATCH', '/v1/users/hp_usr_2', { email: 'ann.lee@acme.fr' })).status).toBe(200);
  });
});

describe('HappyPal validation (422)', () => {
  const fieldsOf = async (method: string, path: string, body: unknown) => {
    const res = await api(method, path, body);
    expect(res.status).toBe(422);
    const error = errorOf(res.body);
    expect(error.code).toBe('validation_failed');
    return error.fields;
  };

  it('names each bad field on create', async () => {
    expect(
      await fieldsOf('POST', '/v1/users', {
        first_name: '  ',
        email: 'not-an-email',
        birth_date: '1990-02-30',
        contract_start: '2024-13-01',
        nickname: 'x',
      }),
    ).toEqual({
      first_name: ['must not be empty'],
      last_name: ['is required'],
      email: ['must be a valid email'],
      birth_date: ['must be a valid date (YYYY-MM-DD)'],
      contract_start: ['must be a valid date (YYYY-MM-DD)'],
      nickname: ['unknown field'],
    });
  });

  it('refuses a contract ending before it starts and a birth date in the future', async () => {
    expect(await fieldsOf('POST', '/v1/users', { ...ann, contract_start: '2024-05-01', contract_end: '2024-04-30' }))
      .toEqual({ contract_end: ['must be on or after contract_start'] });
    expect(await fieldsOf('POST', '/v1/users', { ...ann, birth_date: '2030-01-01' })).toEqual({
      birth_date: ['must not be in the future'],
    });
  });

  it('checks a patch against the stored values, refuses nulls on names and unknown fields', async () => {
    await api('POST', '/v1/users', { ...ann, contract_start: '2024-05-01' });
    expect(await fieldsOf('PATCH', '/v1/users/hp_usr_1', { contract_end: '2024-01-01' })).toEqual({
      contract_end: ['must be on or after contract_start'],
    });
    expect(await fieldsOf('PATCH', '/v1/users/hp_usr_1', { first_name: null, status: 'inactive' })).toEqual({
      first_name: ['must not be null'],
      status: ['unknown field'],
    });
    expect(await fieldsOf('POST', '/v1/users', [ann])).toEqual({ body: ['must be an object'] });
    expect(sim.state.users.get('hp_usr_1')?.contract_end).toBeNull();
  });

  it('answers 400 invalid_json for a body that does not parse', async () => {
    const res = await fetch(`${sim.url}/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}` },
      body: '{"first_name":',
    });
    expect(res.status).toBe(400);
    expect(errorOf(await res.json()).code).toBe('invalid_json');
  });
});

describe('HappyPal deactivate / reactivate', () => {
  it('is idempotent: a second call returns the user unchanged', async () => {
    await api('POST', '/v1/users', ann);
    tick();
    const off = userOf((await api('POST', '/v1/users/hp_usr_1/deactivate')).body);
    expect(off).toMatchObject({ status: 'inactive', updated_by: 'api', updated_at: clock.toISOString() });
    tick();
    const again = await api('POST', '/v1/users/hp_usr_1/deactivate');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(off);
    const on = userOf((await api('POST', '/v1/users/hp_usr_1/reactivate')).body);
    expect(on).toMatchObject({ id: 'hp_usr_1', status: 'active', updated_at: clock.toISOString() });
    expect((await api('POST', '/v1/users/hp_usr_1/reactivate')).body).toEqual(on);
  });
});
