/** HappyPal custom attributes (docs/happypal-api.md "Custom attributes"): definitions, validation, merge, hand edits. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HappyPalErrorBodySchema, HappyPalUserSchema } from '../../activities/targets/happypal/schemas.js';
import { type HappyPalSimulator, startHappyPalSimulator } from '../../dev/simulators/happypal/server.js';

let sim: HappyPalSimulator;

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
const ann = { first_name: 'Ann', last_name: 'Lee', email: 'ann.lee@acme.fr' };
const definitions = [
  { key: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'] },
  { key: 'badge_date', type: 'date' },
  { key: 'meal_allowance', type: 'number' },
  { key: 'team', type: 'text' },
];

beforeAll(async () => {
  sim = await startHappyPalSimulator({ rateLimitPerMinute: 0 });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await fetch(`${sim.url}/_admin/reset`, { method: 'POST' });
  const res = await fetch(`${sim.url}/_admin/custom-attributes`, { method: 'POST', body: JSON.stringify({ data: definitions }) });
  expect(res.status).toBe(200);
});

describe('HappyPal custom attributes', () => {
  it('GET /v1/custom-attributes lists the account definitions', async () => {
    const res = await api('GET', '/v1/custom-attributes');
    expect(res).toEqual({ status: 200, body: { data: definitions } });
  });

  it('a create stores valid values; they come back on the profile', async () => {
    const res = await api('POST', '/v1/users', { ...ann, custom_attributes: { cse_college: 'cadres', badge_date: '2024-01-02', meal_allowance: 7.5, team: 'Ventes' } });
    expect(res.status).toBe(201);
    expect(HappyPalUserSchema.parse(res.body).custom_attributes).toEqual({ cse_college: 'cadres', badge_date: '2024-01-02', meal_allowance: 7.5, team: 'Ventes' });
  });

  it('an unknown attribute and each bad type are 422 naming the attribute and the rule', async () => {
    const res = await api('POST', '/v1/users', {
      ...ann, custom_attributes: { shoe_size: '42', cse_college: 'ETAM', badge_date: 'next week', meal_allowance: '7', team: 12 },
    });
    expect(res.status).toBe(422);
    expect(HappyPalErrorBodySchema.parse(res.body).error.fields).toEqual({
      'custom_attributes.shoe_size': ['unknown attribute'],
      'custom_attributes.cse_college': ['must be one of: cadres, non-cadres'],
      'custom_attributes.badge_date': ['must be a valid date (YYYY-MM-DD)'],
      'custom_attributes.meal_allowance': ['must be a number'],
      'custom_attributes.team': ['must be a string'],
    });
    expect(sim.state.users.size).toBe(0);
  });

  it('PATCH merges key by key and null clears one; a no-op keeps updated_at', async () => {
    const created = HappyPalUserSchema.parse((await api('POST', '/v1/users', { ...ann, custom_attributes: { team: 'Ventes', badge_date: '2024-01-02' } })).body);
    const patched = HappyPalUserSchema.parse((await api('PATCH', `/v1/users/${created.id}`, { custom_attributes: { team: 'Support', badge_date: null } })).body);
    expect(patched.custom_attributes).toEqual({ team: 'Support' });
    const again = HappyPalUserSchema.parse((await api('PATCH', `/v1/users/${created.id}`, { custom_attributes: { team: 'Support' } })).body);
    expect(again.updated_at).toBe(patched.updated_at);
  });

  it('a hand edit of a custom attribute is validated, stamped admin:<who> and logged', async () => {
    const created = HappyPalUserSchema.parse((await api('POST', '/v1/users', { ...ann, custom_attributes: { team: 'Ventes' } })).body);
    const bad = await fetch(`${sim.url}/_admin/users/${created.id}/hand-edit`, { method: 'POST', body: JSON.stringify({ field: 'custom_attributes.cse_college', value: 'ETAM', by: 'hr' }) });
    expect(bad.status).toBe(422);
    const ok = await fetch(`${sim.url}/_admin/users/${created.id}/hand-edit`, { method: 'POST', body: JSON.stringify({ field: 'custom_attributes.team', value: 'Direction', by: 'hr' }) });
    expect(ok.status).toBe(200);
    const user = HappyPalUserSchema.parse(await ok.json());
    expect(user).toMatchObject({ custom_attributes: { team: 'Direction' }, updated_by: 'admin:hr' });
    expect(sim.state.dump().editLog).toEqual([expect.objectContaining({ field: 'custom_attributes.team', old_value: 'Ventes', new_value: 'Direction' })]);
  });
});
