import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSchedule } from '../../client/schedules.js';
import { connectionAudit } from '../../services/audit.js';
import { activateConnection } from '../../services/connections.js';
import { ServiceError } from '../../services/errors.js';
import { insertConnection } from '../../db/queries/connections.js';
import { connections, recordLinks, syncRuns } from '../../db/schema.js';
import { resolveKey } from '../../dev/simulators/lucca/roles.js';
import { startReflectSimulator, type ReflectSimulator } from '../../dev/simulators/reflect/server.js';
import { call, createConsoleWorld, signInApi, type ApiSession, type ConsoleWorld } from '../support/console-harness.js';
import { happyPalWrites } from '../support/sync-harness.js';

let world: ConsoleWorld;
let reflect: ReflectSimulator;
let operator: ApiSession;
let hrA: ApiSession;
let viewerA: ApiSession;
/** Every response body of this file, to look for keys in at the end. */
const bodies: string[] = [];
/** Keys typed into the console by this file (besides the world's). */
const typed: string[] = [];

const LIMITED_KEY = 'limited-lucca-key-000000001';
const ROTATED_KEY = 'rotated-lucca-key-000000002';

beforeAll(async () => {
  world = await createConsoleWorld({ realAudit: true });
  reflect = await startReflectSimulator({ rateLimitPerMinute: 0 });
  const instance = world.harness.lucca.sim.instances.get('demo')!;
  // A key whose role lacks "Consult HR files" (birth dates) and former employees.
  instance.keys.set(LIMITED_KEY, resolveKey({ key: LIMITED_KEY, name: 'limited', role: { seeFormer: false, hrFileSections: false } }, instance.keys.size));
  instance.keys.set(ROTATED_KEY, resolveKey({ key: ROTATED_KEY, name: 'rotated' }, instance.keys.size));
  typed.push(LIMITED_KEY, ROTATED_KEY, reflect.apiKey);
  [operator, hrA, viewerA] = await Promise.all([
    signInApi(world.url, world.users.operator), signInApi(world.url, world.users.hrA), signInApi(world.url, world.users.viewerA),
  ]);
});
afterAll(async () => {
  await reflect?.close();
  await world?.close();
});

async function api(method: string, path: string, session: ApiSession | undefined, body?: unknown, options: { csrf?: string | null } = {}) {
  const res = await call(world.url, method, path, { ...(session && { session }), ...(body !== undefined && { body }), ...options });
  bodies.push(res.text);
  return res;
}

type View = {
  steps: Record<string, boolean>; lucca: { usable: boolean | null; keyKept: boolean; lines: Array<{ level: string; text: string }> };
  target: { usable: boolean | null; keyKept: boolean; lines: Array<{ level: string; text: string }> }; connection: string | null;
  preview: { runId: string; status: string; finished: boolean; counts: Record<string, number>; samples: Array<{ action: string; total: number }> } | null;
};

async function previewToTheEnd(session: ApiSession): Promise<View> {
  return world.harness.withWorker(async () => {
    const started = await api('POST', '/api/setup/preview', session, {});
    expect(started.status, started.text).toBe(200);
    for (;;) {
      const view = (await api('GET', '/api/setup', session)).json() as View;
      if (view.preview?.finished) {
        // The run row closes in the workflow's last activity; its workflow closes one task later. Keep the
        // worker until then, or the preview stays "running" in Temporal and a discard is refused.
        const [run] = await world.harness.db.db.select().from(syncRuns).where(eq(syncRuns.id, view.preview.runId));
        await world.harness.client.workflow.getHandle(run!.workflowId).result();
        return view;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  });
}

const settings = (name: string, company: string | null) => ({
  name, company, defaultPolicy: 'review', fieldPolicies: { email: 'lucca-wins' }, deactivationGuardPct: 20,
  cadence: { kind: 'daily', hour: 7, minute: 30, timezone: 'Europe/Paris' },
});

describe('setup wizard through the API', () => {
  it('an HR admin tests the keys (the diagnosis names what is missing), previews a dry run that writes nothing, and saves an active connection', async () => {
    const { harness } = world;
    const limited = (await api('POST', '/api/setup/lucca', hrA, { luccaUrl: harness.lucca.url, luccaKey: LIMITED_KEY })).json() as View;
    expect(limited.lucca.usable).toBe(false);
    expect(limited.lucca.lines.filter((l) => l.level === 'fail').map((l) => l.text)).toEqual([expect.stringContaining("Field birthDate is hidden: the key's role lacks 'Consult HR files'")]);
    expect(limited.lucca.lines.some((l) => l.level === 'warn' && l.text.includes("grant 'See former employees'"))).toBe(true);
    expect(limited.steps.lucca).toBe(false);
    // The next step is closed until the key works.
    expect((await api('POST', '/api/setup/settings', hrA, settings('acme-wizard', world.companies.a))).status).toBe(400);

    const good = (await api('POST', '/api/setup/lucca', hrA, { luccaUrl: harness.lucca.url, luccaKey: harness.lucca.apiKey })).json() as View;
    expect(good).toMatchObject({ steps: { lucca: true }, lucca: { usable: true, keyKept: true } });
    // Another session (the operator's) has a setup of its own.
    expect(((await api('GET', '/api/setup', operator)).json() as View).lucca.keyKept).toBe(false);

    const refused = (await api('POST', '/api/setup/target', hrA, { target: 'happypal', targetUrl: harness.happypal.url, targetKey: 'not-the-happypal-key' })).json() as View;
    expect(refused.target).toMatchObject({ usable: false, lines: [{ level: 'fail', text: expect.stringContaining('HappyPal refused the API key') }] });
    const target = (await api('POST', '/api/setup/target', hrA, { target: 'happypal', targetUrl: harness.happypal.url, targetKey: harness.happypal.apiKey })).json() as View;
    expect(target.target).toMatchObject({ usable: true, keyKept: true });

    // An HR admin sets up only for their own company.
    const other = await api('POST', '/api/setup/settings', hrA, settings('acme-wizard', world.companies.b));
    expect([other.status, other.json()]).toEqual([400, { error: expect.stringContaining(`you can set up connections only for ${world.companies.a}`) }]);
    const taken = await api('POST', '/api/setup/settings', hrA, settings(world.b.name, world.companies.a));
    expect([taken.status, taken.json()]).toEqual([409, { error: expect.stringContaining('already exists') }]);
    const name = `wizard-${world.a.name}`.slice(0, 60);
    expect((await api('POST', '/api/setup/settings', hrA, settings(name, world.companies.a))).status).toBe(200);
    expect((await api('POST', '/api/setup/save', hrA, {})).status).toBe(409);

    const writesBefore = happyPalWrites(harness.happypal);
    const profilesBefore = harness.happypal.state.users.size;
    const view = await previewToTheEnd(hrA);
    expect(view.preview).toMatchObject({ status: 'completed', finished: true });
    expect(view.preview!.counts.read).toBeGreaterThan(0);
    expect(view.preview!.samples.length).toBeGreaterThan(0);
    // Nothing was written to the target.
    expect(happyPalWrites(harness.happypal)).toBe(writesBefore);
    expect(harness.happypal.state.users.size).toBe(profilesBefore);
    const [run] = await harness.db.db.select().from(syncRuns).where(eq(syncRuns.id, view.preview!.runId));
    expect(run).toMatchObject({ dryRun: true, status: 'completed' });
    const [draft] = await harness.db.db.select().from(connections).where(eq(connections.name, name));
    expect(draft).toMatchObject({ active: false, company: world.companies.a, defaultPolicy: 'review', fieldPolicies: { email: 'lucca-wins' }, deactivationGuardPct: 20 });
    // The preview's run is the HR admin's to read; not another company's.
    expect((await api('GET', `/api/runs/${run!.id}/report`, hrA)).status).toBe(200);

    const saved = await api('POST', '/api/setup/save', hrA, {});
    expect(saved.json()).toEqual({ name, active: true, message: expect.stringContaining('active') });
    const schedule = await describeSchedule(harness.client, name);
    expect(schedule?.state.paused).toBe(false);
    expect(((await api('GET', '/api/setup', hrA)).json() as View).lucca.keyKept).toBe(false);
    const audit = await connectionAudit(harness.db.db, draft!.id);
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['add', `account:${world.users.hrA.email}`], ['activate', `account:${world.users.hrA.email}`], ['sync', `account:${world.users.hrA.email}`],
    ]);
    expect(audit[2]!.detail).toMatchObject({ dryRun: true });
  });

  it('saves a Reflect connection inactive: only an operator activates it (API and service rule), and discarding a setup removes its preview connection', async () => {
    const { harness } = world;
    await api('POST', '/api/setup/lucca', hrA, { luccaUrl: harness.lucca.url, luccaKey: harness.lucca.apiKey });
    const target = (await api('POST', '/api/setup/target', hrA, { target: 'reflect', targetUrl: reflect.url, targetKey: reflect.apiKey })).json() as View;
    expect(target.target.usable).toBe(true);
    const name = `reflect-${world.a.name}`.slice(0, 60);
    expect((await api('POST', '/api/setup/settings', hrA, settings(name, world.companies.a))).status).toBe(200);
    const view = await previewToTheEnd(hrA);
    expect(view.preview?.status).toBe('completed');
    expect(reflect.state.dump().requestCounts.batchUpsert ?? {}).toEqual({});
    expect(reflect.state.dump().requestCounts.batchDelete ?? {}).toEqual({});
    const saved = (await api('POST', '/api/setup/save', hrA, {})).json() as { active: boolean; message: string };
    expect(saved).toMatchObject({ active: false, message: expect.stringContaining('until an operator activates it') });

    const refused = await api('POST', `/api/connections/${name}/activate`, hrA, {});
    expect([refused.status, refused.json()]).toEqual([403, { error: expect.stringContaining('only an operator') }]);
    const row = (await harness.db.db.select().from(connections).where(eq(connections.name, name)))[0]!;
    expect(row.active).toBe(false);
    // The rule lives in the service: an HR admin's account is refused there too, whatever front end calls it.
    await expect(activateConnection({
      db: harness.db.db, cipher: harness.deps.cipher, client: async () => harness.client, env: world.deps.env,
      actor: { kind: 'account', id: world.users.hrA.email, role: 'hr-admin' },
    }, name, null)).rejects.toSatisfy((err) => err instanceof ServiceError && err.kind === 'forbidden');
    const activated = await api('POST', `/api/connections/${name}/activate`, operator, {});
    expect(activated.status, activated.text).toBe(200);
    expect((await harness.db.db.select().from(connections).where(eq(connections.name, name)))[0]!.active).toBe(true);
    expect((await describeSchedule(harness.client, name))?.state.paused).toBe(false);
    expect((await connectionAudit(harness.db.db, row.id)).map((a) => [a.action, a.actor])[0]).toEqual(['activate', `account:${world.users.operator.email}`]);

    // A setup discarded after its preview takes its inactive connection with it.
    await api('POST', '/api/setup/lucca', operator, { luccaUrl: harness.lucca.url, luccaKey: harness.lucca.apiKey });
    await api('POST', '/api/setup/target', operator, { target: 'happypal', targetUrl: harness.happypal.url, targetKey: harness.happypal.apiKey });
    const discarded = `discard-${world.a.name}`.slice(0, 60);
    await api('POST', '/api/setup/settings', operator, settings(discarded, null));
    await previewToTheEnd(operator);
    expect((await harness.db.db.select().from(connections).where(eq(connections.name, discarded))).length).toBe(1);
    expect((await api('POST', '/api/setup/discard', operator, {})).status).toBe(200);
    const [gone] = await harness.db.db.select().from(connections).where(and(eq(connections.name, discarded)));
    expect(gone?.removedAt).not.toBeNull();
  });
});

describe('full resync and policy from the console', () => {
  it('starts a full resync (the `sync run --full` service), audited', async () => {
    const { harness } = world;
    await harness.withWorker(async () => {
      const res = await api('POST', `/api/connections/${world.a.name}/full`, hrA, {});
      expect(res.status, res.text).toBe(200);
      const { runId } = res.json() as { runId: string };
      const [run] = await harness.db.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
      expect(run).toMatchObject({ trigger: 'manual', dryRun: false });
      // While it runs, another start is refused, naming the run.
      const again = await api('POST', `/api/connections/${world.a.name}/full`, hrA, {});
      expect([again.status, again.json()]).toEqual([409, { error: expect.stringContaining('already running') }]);
      expect(await harness.client.workflow.getHandle(run!.workflowId).result()).toMatchObject({ runId, status: 'completed' });
    });
    const audit = await connectionAudit(harness.db.db, world.a.id);
    expect(audit[0]).toMatchObject({ action: 'sync', actor: `account:${world.users.hrA.email}`, detail: expect.objectContaining({ full: true }) });
    expect((await api('GET', `/connections/${world.a.name}`, hrA)).text).toContain('started a full resync');
  });

  it('changes the policy, audited and shown as a policy change', async () => {
    const res = await api('POST', `/api/connections/${world.a.name}/policy`, hrA, { defaultPolicy: 'target-wins', fieldPolicies: { email: 'review', lastName: null }, deactivationGuardPct: 5 });
    expect(res.json()).toEqual({ changed: ['policy', 'fieldPolicies', 'deactivationGuard'] });
    const [row] = await world.harness.db.db.select().from(connections).where(eq(connections.id, world.a.id));
    expect(row).toMatchObject({ defaultPolicy: 'target-wins', fieldPolicies: { email: 'review' }, deactivationGuardPct: 5 });
    const page = (await api('GET', `/connections/${world.a.name}`, hrA)).text;
    expect(page).toContain(`account:${world.users.hrA.email} changed policy`);
  });
});

describe('new routes: isolation, roles, sessions, CSRF, bad input', () => {
  const routesOf = (name: string) => [
    ['POST', `/api/connections/${name}/relink`, { luccaKey: 'whatever-key-123' }], ['POST', `/api/connections/${name}/policy`, { defaultPolicy: 'review' }],
    ['POST', `/api/connections/${name}/full`, {}], ['POST', `/api/connections/${name}/activate`, {}],
  ] as const;
  const setupRoutes = [
    ['POST', '/api/setup/lucca', { luccaUrl: 'https://acme.ilucca.net', luccaKey: 'some-key-12345' }], ['POST', '/api/setup/target', { target: 'happypal', targetKey: 'some-key-12345' }],
    ['POST', '/api/setup/settings', settings('x-y', null)], ['POST', '/api/setup/preview', {}], ['POST', '/api/setup/save', {}], ['POST', '/api/setup/discard', {}],
  ] as const;

  it("answers 404 to company A's HR admin on every new route of company B's connection, and changes nothing", async () => {
    const before = (await world.harness.db.db.select().from(connections).where(eq(connections.id, world.b.id)))[0];
    for (const [method, path, body] of routesOf(world.b.name)) {
      const res = await api(method, path, hrA, body);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain(world.companies.b);
    }
    for (const path of [`/connections/${world.b.name}/relink`, `/connections/${world.b.name}/policy`]) {
      expect((await api('GET', path, hrA)).status, path).toBe(404);
    }
    const form = await call(world.url, 'POST', `/connections/${world.b.name}/relink`, { session: hrA, csrf: null, rawBody: `_csrf=${hrA.csrf}&luccaKey=abcdefgh12`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(404);
    expect((await world.harness.db.db.select().from(connections).where(eq(connections.id, world.b.id)))[0]).toEqual(before);
  });

  it('refuses a viewer (403), no session (401) and no CSRF token (403) on every new route', async () => {
    for (const [method, path, body] of [...routesOf(world.a.name), ...setupRoutes]) {
      const viewer = await api(method, path, viewerA, body);
      expect([viewer.status, path]).toEqual([403, path]);
      expect((await api(method, path, undefined, body)).status, path).toBe(401);
      const noCsrf = await api(method, path, operator, body, { csrf: null });
      expect([noCsrf.status, path]).toEqual([403, path]);
      expect(noCsrf.text).toContain('CSRF');
    }
    expect((await api('GET', '/api/setup', viewerA)).status).toBe(403);
    expect((await api('GET', '/setup/lucca', viewerA)).status).toBe(403);
    expect((await api('GET', `/connections/${world.a.name}/relink`, viewerA)).status).toBe(403);
  });

  it('answers bad input on every new route with a 4xx and a clear error, never a 5xx', async () => {
    const a = world.a.name;
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/api/setup/lucca', { luccaUrl: 5 }, 400, 'bad json.luccaUrl'],
      ['POST', '/api/setup/lucca', { luccaUrl: 'ftp://acme.ilucca.net', luccaKey: 'abcdefgh123' }, 400, 'https'],
      ['POST', '/api/setup/lucca', { luccaUrl: 'https://evil.example.com', luccaKey: 'abcdefgh123' }, 400, 'is not a Lucca host'],
      ['POST', '/api/setup/lucca', { luccaUrl: 'https://acme.ilucca.net', luccaKey: 'two\nlines-key' }, 400, 'bad luccaKey'],
      ['POST', '/api/setup/lucca', { luccaUrl: 'https://acme.ilucca.net', luccaKey: 'x'.repeat(5000) }, 400, 'bad json.luccaKey'],
      ['POST', '/api/setup/lucca', { luccaUrl: 'https://acme.ilucca.net', extra: 1 }, 400, 'bad json'],
      ['POST', '/api/setup/target', { target: 'sap' }, 400, 'bad json.target'],
      ['POST', '/api/setup/target', { target: 'happypal', targetUrl: 'http://169.254.169.254/', targetKey: 'abcdefgh123' }, 400, 'https'],
      ['POST', '/api/setup/target', { target: 'happypal', targetUrl: 'https://10.0.0.1/', targetKey: 'abcdefgh123' }, 400, 'internal'],
      ['POST', '/api/setup/settings', { ...settings('<script>', null) }, 400, 'bad name'],
      ['POST', '/api/setup/settings', { ...settings('ok-name', null), deactivationGuardPct: 200 }, 400, 'bad json.deactivationGuardPct'],
      ['POST', '/api/setup/settings', { ...settings('ok-name', null), cadence: { kind: 'daily', hour: 25, minute: 0, timezone: 'Europe/Paris' } }, 400, 'bad json.cadence'],
      ['POST', '/api/setup/settings', { ...settings('ok-name', null), cadence: { kind: 'daily', hour: 5, minute: 0, timezone: 'Mars/Olympus' } }, 400, 'bad cadence.timezone'],
      ['POST', '/api/setup/settings', { ...settings('ok-name', null), company: '<b>x</b>' }, 400, 'bad company'],
      ['POST', '/api/setup/save', {}, 409, 'preview the first sync'],
      ['POST', `/api/connections/${a}/relink`, {}, 400, 'nothing to relink'],
      ['POST', `/api/connections/${a}/relink`, { luccaKey: 5 }, 400, 'bad json.luccaKey'],
      ['POST', `/api/connections/${a}/relink`, { luccaKey: 'abc def ghi' }, 400, 'bad luccaKey'],
      ['POST', `/api/connections/${a}/relink`, { luccaKey: 'abcdefgh123', sneaky: true }, 400, 'bad json'],
      ['POST', `/api/connections/${a}/policy`, { defaultPolicy: 'whatever' }, 400, 'bad json.defaultPolicy'],
      ['POST', `/api/connections/${a}/policy`, { fieldPolicies: { salary: 'review' } }, 400, 'bad json.fieldPolicies'],
      ['POST', `/api/connections/${a}/policy`, {}, 400, 'nothing to change'],
      ['POST', '/api/connections/no-such-connection/relink', { luccaKey: 'abcdefgh123' }, 404, 'not found'],
      ['POST', `/api/connections/${encodeURIComponent('<script>')}/policy`, { defaultPolicy: 'review' }, 404, 'not found'],
    ];
    // A fresh operator session, through steps 1 and 2 (steps are gated: step 3 needs both keys tested).
    const fresh = await signInApi(world.url, world.users.operator);
    expect(await api('POST', '/api/setup/settings', fresh, settings('ok-name', null))).toMatchObject({ status: 400, text: expect.stringContaining('first') });
    await api('POST', '/api/setup/lucca', fresh, { luccaUrl: world.harness.lucca.url, luccaKey: world.harness.lucca.apiKey });
    await api('POST', '/api/setup/target', fresh, { target: 'happypal', targetUrl: world.harness.happypal.url, targetKey: world.harness.happypal.apiKey });
    for (const [method, path, body, status, message] of cases) {
      const res = await api(method, path, fresh, body);
      expect([res.status, path, res.text]).toEqual([status, path, expect.stringContaining(message)]);
    }
    const huge = await call(world.url, 'POST', '/api/setup/lucca', { session: fresh, rawBody: JSON.stringify({ luccaUrl: 'x', luccaKey: 'x'.repeat(100_000) }) });
    expect(huge.status).toBe(413);
    for (const rawBody of ['{"luccaUrl": ', 'not json', '']) {
      const res = await call(world.url, 'POST', '/api/setup/lucca', { session: fresh, rawBody });
      expect(res.status, rawBody).toBeGreaterThanOrEqual(400);
      expect(res.status, rawBody).toBeLessThan(500);
    }
    // Pages escape what they show back: a URL with markup is answered as text.
    const form = await call(world.url, 'POST', '/setup/lucca', {
      session: fresh, csrf: null, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: new URLSearchParams({ _csrf: fresh.csrf, luccaUrl: 'https://<script>alert(1)</script>.ilucca.net', luccaKey: 'abcdefgh123' }).toString(),
    });
    expect(form.status).toBe(400);
    expect(form.text).not.toContain('<script>alert');
    expect(form.text).toContain('role="alert"');
  });

  it('relinks in place: a refused key is not saved; a working one is, with the same id, links and history', async () => {
    const { harness } = world;
    const links = (await harness.db.db.select().from(recordLinks).where(eq(recordLinks.connectionId, world.a.id))).length;
    const runs = (await harness.db.db.select().from(syncRuns).where(eq(syncRuns.connectionId, world.a.id))).length;
    const before = (await harness.db.db.select().from(connections).where(eq(connections.id, world.a.id)))[0]!;
    const wrong = await api('POST', `/api/connections/${world.a.name}/relink`, hrA, { luccaKey: 'not-a-lucca-key-at-all' });
    expect([wrong.status, wrong.json()]).toEqual([409, { error: expect.stringContaining('the new Lucca key was not saved') }]);
    const wrongTarget = await api('POST', `/api/connections/${world.a.name}/relink`, hrA, { targetKey: 'not-the-happypal-key' });
    expect([wrongTarget.status, wrongTarget.json()]).toEqual([409, { error: expect.stringContaining('HappyPal refused the API key') }]);
    const less = await api('POST', `/api/connections/${world.a.name}/relink`, hrA, { luccaKey: LIMITED_KEY });
    expect(less.status).toBe(409);
    expect((await harness.db.db.select().from(connections).where(eq(connections.id, world.a.id)))[0]!.luccaKeyEnc).toBe(before.luccaKeyEnc);

    const ok = await api('POST', `/api/connections/${world.a.name}/relink`, hrA, { luccaKey: ROTATED_KEY });
    expect(ok.json()).toMatchObject({ changed: ['luccaKey'], luccaCheck: expect.arrayContaining([expect.objectContaining({ level: 'ok' })]) });
    const after = (await harness.db.db.select().from(connections).where(eq(connections.id, world.a.id)))[0]!;
    expect(after.luccaKeyEnc).not.toBe(before.luccaKeyEnc);
    expect(harness.deps.cipher.decrypt(after.luccaKeyEnc)).toBe(ROTATED_KEY);
    expect((await harness.db.db.select().from(recordLinks).where(eq(recordLinks.connectionId, world.a.id))).length).toBe(links);
    expect((await harness.db.db.select().from(syncRuns).where(eq(syncRuns.connectionId, world.a.id))).length).toBe(runs);
    expect((await connectionAudit(harness.db.db, world.a.id))[0]).toMatchObject({ action: 'update', actor: `account:${world.users.hrA.email}`, detail: { changed: ['luccaKey'] } });
    expect((await api('GET', `/connections/${world.a.name}`, hrA)).text).toContain(`account:${world.users.hrA.email} relinked`);
  });

  it('never puts a key in a response body: every answer of this file, and the new pages', async () => {
    for (const path of ['/setup/lucca', '/setup/target', `/connections/${world.a.name}/relink`, `/connections/${world.a.name}/policy`, '/api/setup', '/api/openapi.json']) {
      bodies.push((await call(world.url, 'GET', path, { session: operator })).text);
    }
    const secrets = [...world.secrets, ...typed];
    for (const body of bodies) for (const secret of secrets) expect(body.includes(secret), `a response holds a key: ${body.slice(0, 200)}`).toBe(false);
    expect(bodies.length).toBeGreaterThan(80);
  });

  it('publishes the new routes in the OpenAPI document', async () => {
    const doc = (await call(world.url, 'GET', '/api/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/setup', '/api/setup/lucca', '/api/setup/target', '/api/setup/settings', '/api/setup/preview', '/api/setup/save', '/api/setup/discard',
      '/api/connections/{name}/relink', '/api/connections/{name}/policy', '/api/connections/{name}/{action}',
    ]));
  });
});
