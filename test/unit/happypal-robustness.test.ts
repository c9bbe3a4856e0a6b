/**
 * HappyPal answers the client must survive: a record-level 400 on a write (a rejected record, the run
 * goes on), and a profile with a status outside the contract (set aside, the read goes on), through the
 * client against the simulator, then through the planner.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHappyPalClient } from '../../activities/targets/happypal/client.js';
import { createDispatcher } from '../../activities/http/http.js';
import { planRecords, type PlannedLine } from '../../activities/targets/happypal/plan-records.js';
import { startHappyPalSimulator, type HappyPalSimulator } from '../../dev/simulators/happypal/server.js';
import { aLuccaUser, aPlanInput, aSource, aSyncedEmployee, withEmployees } from './support/builders.js';

const dispatcher = createDispatcher();
let sim: HappyPalSimulator;

beforeAll(async () => {
  sim = await startHappyPalSimulator({ rateLimitPerMinute: 0 });
});
afterAll(async () => {
  await sim.close();
  await dispatcher.close();
});
beforeEach(() => fetch(`${sim.url}/_admin/reset`, { method: 'POST' }));

const client = () => createHappyPalClient({ baseUrl: sim.url, apiKey: sim.apiKey, dispatcher });
const person = (n: number) => ({ first_name: `Ann${n}`, last_name: 'Lee', email: `ann.lee${n}@acme.fr` });

describe('HappyPal client', () => {
  it('a 400 on one write is that record\'s rejection, with the code and field names only', async () => {
    sim.state.reject('ann.lee1@acme.fr', 400);
    const refused = await client().createUser(person(1), 'key-400-000001');
    expect(refused).toEqual({ ok: false, status: 400, code: 'bad_request', message: 'HappyPal refused the record (400): bad_request (fields: email)' });
    expect(JSON.stringify(refused)).not.toContain('ann.lee1');
    expect(await client().createUser(person(2), 'key-400-000002')).toMatchObject({ ok: true });
  });

  it('a status HappyPal added later sets that profile aside; the rest of the page is read', async () => {
    for (const n of [1, 2, 3]) sim.state.seedUser(person(n));
    sim.state.setUnknownStatus('hp_usr_2', 'suspended');
    const page = await client().listUsers(1, 100);
    expect(page.data.map((u) => u.id)).toEqual(['hp_usr_1', 'hp_usr_3']);
    expect(page.unreadable).toEqual([{ id: 'hp_usr_2', position: 1, email: 'ann.lee2@acme.fr', problems: ['status (invalid_value)'] }]);
    expect(page.meta).toMatchObject({ total: 3, next_page: null });
  });

  it('an answer that is not a users page is refused whole', async () => {
    const stub = createHappyPalClient({ baseUrl: `${sim.url}/nowhere`, apiKey: sim.apiKey, dispatcher });
    await expect(stub.listUsers(1, 100)).rejects.toMatchObject({ code: 'happypal_unexpected_status', retryable: false });
  });
});

describe('planRecords with an unreadable profile', () => {
  const lineOf = (lines: PlannedLine[], sourceId: string) => lines.find((l) => l.sourceId === sourceId);
  const problems = ['status (invalid_value)'];

  it('the linked employee is quarantined with a reason naming the profile and field; the others are planned as usual', () => {
    const [odd, fine] = [aSyncedEmployee(1, { lucca: { firstName: 'Changed' } }), aSyncedEmployee(2, { lucca: { firstName: 'Changed' } })];
    const { targets: _t, ...rest } = withEmployees([odd, fine]);
    const plan = planRecords(aPlanInput({ ...rest, targets: [fine.target], unreadableTargets: [{ targetId: odd.target.id, problems, email: odd.target.email }] }));
    expect(lineOf(plan.lines, '1')).toMatchObject({ action: 'quarantined', plan: null, outcome: 'reported' });
    expect(plan.quarantined).toEqual([{ sourceId: '1', reasons: [{ code: 'target_profile_unreadable', message: expect.stringMatching(/profile hp_usr_1 .*\(status \(invalid_value\)\).*until it is fixed on HappyPal/) }] }]);
    expect(lineOf(plan.lines, '2')).toMatchObject({ action: 'updated', outcome: 'planned' });
  });

  it('an unlinked employee with the same email is not given a second profile (quarantined, not created)', () => {
    const user = aLuccaUser({ id: 7 });
    const plan = planRecords(aPlanInput({ sources: [aSource(user)], unreadableTargets: [{ targetId: 'hp_usr_9', problems, email: user.mail }] }));
    expect(plan.lines).toHaveLength(1);
    expect(lineOf(plan.lines, '7')).toMatchObject({ action: 'quarantined', plan: null });
    expect(plan.quarantined.map((q) => q.reasons[0]?.code)).toEqual(['target_profile_unreadable']);
  });

  it('a linked employee Lucca no longer returns is not deactivated through an unreadable profile', () => {
    const gone = aSyncedEmployee(3);
    const plan = planRecords(aPlanInput({ links: [gone.link], snapshots: [gone.snapshot], unreadableTargets: [{ targetId: gone.target.id, problems }] }));
    expect(plan.lines.some((l) => l.plan?.lifecycle === 'deactivate')).toBe(false);
    expect(lineOf(plan.lines, '3')).toMatchObject({ action: 'quarantined' });
    expect(plan.blockedReason).toBeNull();
  });
});
