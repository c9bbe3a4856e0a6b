import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSchedule } from '../../client/schedules.js';
import { parseEnv } from '../../config/env.js';
import { startConsole } from '../../console/server.js';
import { insertConnection } from '../../db/queries/connections.js';
import { conflicts, reportLines, syncRuns } from '../../db/schema.js';
import { createLogger } from '../../lib/logger.js';
import { call, createConsoleWorld, signInApi, type ApiSession, type ConsoleWorld } from '../support/console-harness.js';

let world: ConsoleWorld;
let operator: ApiSession;
let hrA: ApiSession;
let viewerA: ApiSession;

beforeAll(async () => {
  world = await createConsoleWorld();
  [operator, hrA, viewerA] = await Promise.all([
    signInApi(world.url, world.users.operator), signInApi(world.url, world.users.hrA), signInApi(world.url, world.users.viewerA),
  ]);
});
afterAll(async () => world?.close());

/** Every read route of one connection and its run, conflict and report. */
const readRoutes = (c: ConsoleWorld['a']) => [
  `/api/connections/${c.name}`, `/api/connections/${c.name}/runs`, `/api/runs/${c.runId}`, `/api/runs/${c.runId}/progress`,
  `/api/runs/${c.runId}/report`, `/api/runs/${c.runId}/report.csv`,
  `/connections/${c.name}`, `/runs/${c.runId}`, `/runs/${c.runId}/report.csv`,
];
const writeRoutes = (c: ConsoleWorld['a']) => [
  ['POST', `/api/connections/${c.name}/pause`, { reason: 'freeze' }], ['POST', `/api/connections/${c.name}/resume`, {}],
  ['POST', `/api/connections/${c.name}/sync`, {}], ['POST', '/api/conflicts/resolve', { picks: [{ id: c.conflictId, keep: 'lucca' }] }],
] as const;

describe('console API: sessions, CSRF and roles', () => {
  it('refuses every route without a session (401 for the API, a redirect to sign-in for pages)', async () => {
    for (const path of readRoutes(world.a).filter((p) => p.startsWith('/api/')).concat(['/api/connections', '/api/conflicts', '/api/quarantine', '/api/session'])) {
      const res = await call(world.url, 'GET', path);
      expect(res.status, path).toBe(401);
      expect(res.json()).toEqual({ error: expect.stringContaining('not signed in') });
    }
    for (const path of ['/connections', `/connections/${world.a.name}`, `/runs/${world.a.runId}`, '/conflicts', '/quarantine']) {
      const res = await call(world.url, 'GET', path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
    }
    for (const [method, path, body] of writeRoutes(world.a)) expect((await call(world.url, method, path, { body })).status, path).toBe(401);
  });

  it('refuses a state change without the CSRF token, or with a wrong one, and changes nothing', async () => {
    for (const [method, path, body] of writeRoutes(world.a)) {
      const missing = await call(world.url, method, path, { session: operator, csrf: null, body });
      expect(missing.status, path).toBe(403);
      expect(missing.json()).toEqual({ error: expect.stringContaining('CSRF') });
      expect((await call(world.url, method, path, { session: operator, csrf: 'x'.repeat(32), body })).status, path).toBe(403);
      expect((await call(world.url, method, path, { session: hrA, csrf: operator.csrf, body })).status, path).toBe(403);
    }
    // A page form post without _csrf is refused too.
    const form = await call(world.url, 'POST', `/connections/${world.a.name}/pause`, { session: operator, csrf: null, rawBody: 'reason=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(403);
    const [conflict] = await world.harness.db.db.select().from(conflicts).where(eq(conflicts.id, world.a.conflictId));
    expect(conflict?.status).toBe('open');
    expect((await describeSchedule(world.harness.client, world.a.name))?.state.paused).toBe(false);
  });

  it('lets a viewer read but change nothing (403 on every state change)', async () => {
    expect((await call(world.url, 'GET', `/api/connections/${world.a.name}`, { session: viewerA })).status).toBe(200);
    for (const [method, path, body] of writeRoutes(world.a)) {
      const res = await call(world.url, method, path, { session: viewerA, body });
      expect(res.status, path).toBe(403);
      expect(res.json()).toEqual({ error: expect.stringContaining('viewers cannot change') });
    }
    const [conflict] = await world.harness.db.db.select().from(conflicts).where(eq(conflicts.id, world.a.conflictId));
    expect(conflict?.status).toBe('open');
  });

  it('rate-limits failed sign-ins per account, and says wrong email or password without telling which', async () => {
    const unknown = await call(world.url, 'POST', '/api/login', { body: { email: 'nobody@test.local', password: 'whatever-it-is' } });
    expect(unknown.status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await call(world.url, 'POST', '/api/login', { body: { email: world.users.viewerA.email, password: `wrong-${i}-password` } })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Even the right password waits out the window now.
    const right = await call(world.url, 'POST', '/api/login', { body: world.users.viewerA });
    expect(right.status).toBe(429);
    expect(right.json()).toEqual({ error: expect.stringContaining('too many failed sign-ins') });
  });

  it('sets an httpOnly, SameSite=Strict session cookie, and refuses a cross-site sign-in', async () => {
    const res = await fetch(`${world.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(world.users.operator) });
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(res.headers.get('set-cookie')).toMatch(/SameSite=Strict/i);
    const cross = await call(world.url, 'POST', '/api/login', { body: world.users.operator, headers: { origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
  });
});

describe('console API: tenant isolation', () => {
  it("answers 404 to company A's HR admin for every route of company B's connection, runs, report and conflicts", async () => {
    for (const path of readRoutes(world.b)) {
      const res = await call(world.url, 'GET', path, { session: hrA });
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain(world.companies.b);
    }
    for (const [method, path, body] of writeRoutes(world.b)) {
      expect((await call(world.url, method, path, { session: hrA, body })).status, path).toBe(404);
    }
    // Lists hold only company A.
    const list = (await call(world.url, 'GET', '/api/connections', { session: hrA })).json() as { connections: Array<{ name: string; company: string }> };
    expect(list.connections.map((c) => c.name)).toContain(world.a.name);
    expect(list.connections.every((c) => c.company === world.companies.a)).toBe(true);
    for (const path of ['/api/conflicts', `/api/conflicts?connection=${world.b.name}`, '/api/quarantine', `/api/quarantine?connection=${world.b.name}`]) {
      const body = (await call(world.url, 'GET', path, { session: hrA })).json() as Array<{ connection: string }>;
      expect(body.every((row) => row.connection === world.a.name), path).toBe(true);
    }
    for (const path of ['/connections', '/conflicts', '/quarantine']) {
      expect((await call(world.url, 'GET', path, { session: hrA })).text, path).not.toContain(world.b.name);
    }
    // B's conflict is still open, B's schedule still running.
    const [conflict] = await world.harness.db.db.select().from(conflicts).where(eq(conflicts.id, world.b.conflictId));
    expect(conflict?.status).toBe('open');
    expect((await describeSchedule(world.harness.client, world.b.name))?.state.paused).toBe(false);
  });

  it('lets the operator see both companies, with their health (from the health seam) and a filter on it', async () => {
    const list = (await call(world.url, 'GET', '/api/connections', { session: operator })).json() as { connections: Array<{ name: string; health: string | null }> };
    expect(list.connections.filter((c) => c.name === world.a.name || c.name === world.b.name)).toEqual([
      expect.objectContaining({ name: world.a.name, health: 'ok' }), expect.objectContaining({ name: world.b.name, health: 'failing' }),
    ]);
    const failing = (await call(world.url, 'GET', '/api/connections?health=failing', { session: operator })).json() as { connections: Array<{ name: string }> };
    expect(failing.connections.map((c) => c.name)).toEqual([world.b.name]);
    for (const path of readRoutes(world.b)) expect((await call(world.url, 'GET', path, { session: operator })).status, path).toBe(200);
  });

  it('never puts a key in a response body, clear or encrypted', async () => {
    const paths = [
      ...readRoutes(world.a), ...readRoutes(world.b), '/api/connections', '/api/conflicts', '/api/quarantine', '/api/session',
      '/connections', '/conflicts', '/quarantine', '/api/openapi.json',
    ];
    for (const session of [operator, hrA]) {
      for (const path of paths) {
        const { text } = await call(world.url, 'GET', path, { session });
        for (const secret of world.secrets) expect(text.includes(secret), `${path} holds a key`).toBe(false);
      }
    }
    const detail = (await call(world.url, 'GET', `/api/connections/${world.a.name}`, { session: operator })).json() as { luccaKey: string; targetKey: string; config: unknown };
    // maskSecret: `abcd…yz`, or only bullets for a short key (the simulators' keys are short).
    expect(detail.luccaKey).toBe('cons…89');
    expect(detail.targetKey).toMatch(/^(•+|.{4}….{2})$/);
    // The scope and the mapped fields, read-only (none set on this connection).
    expect(detail.config).toEqual({ scope: 'every employee the Lucca key sees', mappings: [] });
  });
});

describe('console API: actions, conflicts and reports', () => {
  it('pauses and resumes the schedule, and resolves a conflict, for the HR admin of the company', async () => {
    const paused = await call(world.url, 'POST', `/api/connections/${world.a.name}/pause`, { session: hrA, body: { reason: 'payroll freeze' } });
    expect(paused.status).toBe(200);
    const described = await describeSchedule(world.harness.client, world.a.name);
    expect(described?.state.paused).toBe(true);
    expect(described?.state.note).toContain('payroll freeze');
    const detail = (await call(world.url, 'GET', `/api/connections/${world.a.name}`, { session: hrA })).json() as { schedule: { state: string } };
    expect(detail.schedule.state).toBe('paused');
    // No body at all is fine too.
    expect((await call(world.url, 'POST', `/api/connections/${world.a.name}/resume`, { session: hrA })).status).toBe(200);
    expect((await describeSchedule(world.harness.client, world.a.name))?.state.paused).toBe(false);

    const resolved = await call(world.url, 'POST', '/api/conflicts/resolve', { session: hrA, body: { picks: [{ id: world.a.conflictId, keep: 'target' }] } });
    expect(resolved.json()).toEqual({ resolved: [{ id: world.a.conflictId, field: 'lastName', keep: 'target' }] });
    const [conflict] = await world.harness.db.db.select().from(conflicts).where(eq(conflicts.id, world.a.conflictId));
    expect(conflict).toMatchObject({ status: 'resolved', resolution: 'target' });
    const again = await call(world.url, 'POST', '/api/conflicts/resolve', { session: hrA, body: { picks: [{ id: world.a.conflictId, keep: 'lucca' }] } });
    expect(again.status).toBe(409);
    expect(again.json()).toEqual({ error: expect.stringContaining('already resolved') });

    // Each change went to the audit seam, with who did it, and the connection page shows them.
    expect(world.audit.map((e) => [e.action, e.actor, e.connectionId])).toEqual([
      ['paused', world.users.hrA.email, world.a.id], ['resumed', world.users.hrA.email, world.a.id], ['resolved', world.users.hrA.email, world.a.id],
    ]);
    const page = (await call(world.url, 'GET', `/connections/${world.a.name}`, { session: hrA })).text;
    expect(page).toContain(`${world.users.hrA.email} paused: payroll freeze`);
  });

  it('pages the report, filters it by action, finds a line by Lucca id or by email, and streams it as CSV', async () => {
    type Page = { total: number; next: number | null; lines: Array<{ seq: number; sourceId: string; action: string; changes: Array<{ field: string; after: string | null }> }> };
    const first = (await call(world.url, 'GET', `/api/runs/${world.a.runId}/report?limit=3`, { session: hrA })).json() as Page;
    expect(first.lines).toHaveLength(3);
    expect(first.total).toBeGreaterThan(3);
    const second = (await call(world.url, 'GET', `/api/runs/${world.a.runId}/report?limit=3&after=${first.next}`, { session: hrA })).json() as Page;
    expect(second.lines[0]!.seq).toBeGreaterThan(first.lines[2]!.seq);
    const created = (await call(world.url, 'GET', `/api/runs/${world.a.runId}/report?action=created&limit=500`, { session: hrA })).json() as Page;
    expect(created.lines.length).toBeGreaterThan(0);
    expect(created.lines.every((l) => l.action === 'created')).toBe(true);
    const target = created.lines[0]!;
    const byId = (await call(world.url, 'GET', `/api/runs/${world.a.runId}/report?q=${target.sourceId}`, { session: hrA })).json() as Page;
    expect(byId.lines.map((l) => l.sourceId)).toEqual([target.sourceId]);
    const email = target.changes.find((c) => c.field === 'email')!.after!;
    const byEmail = (await call(world.url, 'GET', `/api/runs/${world.a.runId}/report?q=${encodeURIComponent(email.toUpperCase())}`, { session: hrA })).json() as Page;
    expect(byEmail.lines.map((l) => l.sourceId)).toEqual([target.sourceId]);

    const csv = await call(world.url, 'GET', `/api/runs/${world.a.runId}/report.csv?action=created`, { session: hrA });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = csv.text.trim().split('\n');
    expect(rows[0]).toBe('seq,dataset,lucca_id,target_id,action,outcome,field,before,after,note,error');
    expect(new Set(rows.slice(1).map((r) => r.split(',')[2])).size).toBe(created.total);
    expect(csv.text).toContain(email);
  });

  it("shows a Reflect connection's datasets as its last finished run left them", async () => {
    const { db } = world.harness.db;
    const reflect = await insertConnection(db, world.deps.cipher, {
      name: `reflect-${world.a.name}`, target: 'reflect', company: world.companies.a, luccaUrl: 'https://acme.ilucca.net',
      luccaKey: 'reflect-lucca-key-123', targetUrl: 'https://api.getreflect.io', targetKey: 'reflect-target-key-123',
    });
    const [run] = await db.insert(syncRuns).values({
      connectionId: reflect.id, workflowId: `wf-${reflect.id}`, trigger: 'manual', status: 'completed', phase: 'done', finishedAt: new Date(),
    }).returning();
    await db.insert(reportLines).values([
      { runId: run!.id, seq: 1, dataset: 'employees', sourceId: '1', action: 'created', outcome: 'applied' },
      { runId: run!.id, seq: 2, dataset: 'employees', sourceId: '2', action: 'created', outcome: 'applied' },
      { runId: run!.id, seq: 3, dataset: 'absences', sourceId: '-', action: 'not_permitted', outcome: 'reported', error: 'grant Consult leaves' },
    ]);
    const detail = (await call(world.url, 'GET', `/api/connections/${reflect.name}`, { session: hrA })).json() as { active: boolean; datasets: unknown[] };
    expect(detail.active).toBe(false);
    expect(detail.datasets).toEqual([
      expect.objectContaining({ dataset: 'employees', status: 'completed', counts: { created: 2 } }),
      expect.objectContaining({ dataset: 'compensation', status: 'completed', counts: {} }),
      expect.objectContaining({ dataset: 'absences', status: 'not permitted', counts: {} }),
      expect.objectContaining({ dataset: 'expenses', status: 'completed', counts: {} }),
    ]);
    expect((await call(world.url, 'GET', `/connections/${reflect.name}`, { session: hrA })).text).toContain('not permitted');
  });

  it('shows the quarantined record with what to fix in Lucca', async () => {
    const rows = (await call(world.url, 'GET', `/api/quarantine?connection=${world.a.name}`, { session: hrA })).json() as Array<{ sourceId: string; fix: string }>;
    expect(rows.find((r) => r.sourceId === '434343')?.fix).toContain('Correct email');
  });
});

describe('console API: bad input', () => {
  it('answers unknown and malformed ids, wrong types, oversized bodies and markup with a 4xx and a clear error, never a 5xx', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['GET', '/api/connections/no-such-connection', undefined, 404, 'not found'],
      ['GET', `/api/connections/${encodeURIComponent('<script>alert(1)</script>')}`, undefined, 404, 'not found'],
      ['GET', `/api/connections/${'x'.repeat(300)}`, undefined, 400, 'bad param.name'],
      ['GET', '/api/runs/not-a-uuid', undefined, 404, 'not found'],
      ['GET', '/api/runs/00000000-0000-4000-8000-000000000000', undefined, 404, 'not found'],
      ['GET', "/api/runs/1'%20or%201=1--/report", undefined, 404, 'not found'],
      ['GET', `/api/runs/${world.a.runId}/report?limit=abc`, undefined, 400, 'bad query.limit'],
      ['GET', `/api/runs/${world.a.runId}/report?limit=100000`, undefined, 400, 'bad query.limit'],
      ['GET', `/api/runs/${world.a.runId}/report?after=-1`, undefined, 400, 'bad query.after'],
      ['GET', `/api/runs/${world.a.runId}/report?action=${encodeURIComponent('<b>')}`, undefined, 400, 'bad query.action'],
      ['GET', `/api/runs/${world.a.runId}/report?q=${encodeURIComponent("%_\\'; drop table x")}`, undefined, 200, '"lines":[]'],
      ['GET', '/api/connections?target=sap', undefined, 400, 'bad query.target'],
      ['GET', '/api/connections?health=great', undefined, 400, 'bad query.health'],
      ['GET', `/api/connections?q=${encodeURIComponent('%<script>')}`, undefined, 200, '"connections":[]'],
      ['POST', '/api/conflicts/resolve', { picks: 'all' }, 400, 'bad json.picks'],
      ['POST', '/api/conflicts/resolve', { picks: [] }, 400, 'bad json.picks'],
      ['POST', '/api/conflicts/resolve', { picks: [{ id: -1, keep: 'lucca' }] }, 400, 'bad json.picks.0.id'],
      ['POST', '/api/conflicts/resolve', { picks: [{ id: 1.5, keep: 'lucca' }] }, 400, 'bad json.picks.0.id'],
      ['POST', '/api/conflicts/resolve', { picks: [{ id: world.a.conflictId, keep: '<script>' }] }, 400, 'bad json.picks.0.keep'],
      ['POST', '/api/conflicts/resolve', { picks: [{ id: 987654321, keep: 'lucca' }] }, 404, 'not found'],
      ['POST', '/api/conflicts/resolve', { picks: [{ id: 1e300, keep: 'lucca' }] }, 400, 'bad json.picks.0.id'],
      ['POST', `/api/connections/${world.a.name}/pause`, { reason: 'x'.repeat(5000) }, 400, 'bad json.reason'],
      ['POST', `/api/connections/${world.a.name}/pause`, { reason: 42 }, 400, 'bad json.reason'],
      ['POST', `/api/connections/${world.a.name}/explode`, {}, 400, 'bad param.action'],
      ['POST', '/api/login', { email: ['a'], password: 1 }, 400, 'bad json.email'],
      ['GET', '/api/nothing-here', undefined, 404, 'no such route'],
      ['GET', '/api/connections/%E0%A4%A', undefined, 404, 'not found'],
      ['GET', '/api/runs/%ZZ/report', undefined, 404, 'not found'],
      ['GET', '/connections/%E0%A4%A', undefined, 404, 'not found'],
      ['GET', `/api/connections/${encodeURIComponent('\u0000\u202e')}`, undefined, 400, 'NUL character'],
      ['GET', `/api/connections/${encodeURIComponent('\u202eevil')}`, undefined, 404, 'not found'],
      ['GET', `/api/connections?q=${encodeURIComponent('a\u0000b')}`, undefined, 400, 'NUL character'],
      ['GET', `/api/runs/${world.a.runId}/report?q=${encodeURIComponent('\u0000')}`, undefined, 400, 'NUL character'],
      ['POST', `/api/connections/${world.a.name}/pause`, { reason: 'a\u0000b' }, 400, 'bad json.reason'],
    ];
    for (const [method, path, body, status, message] of cases) {
      const res = await call(world.url, method, path, { session: operator, ...(body !== undefined && { body }) });
      expect([res.status, path], res.text).toEqual([status, path]);
      expect(res.text, path).toContain(message);
    }
    for (const rawBody of ['{"picks": [', 'not json at all', '']) {
      const res = await call(world.url, 'POST', '/api/conflicts/resolve', { session: operator, rawBody });
      expect(res.status, rawBody).toBeGreaterThanOrEqual(400);
      expect(res.status, rawBody).toBeLessThan(500);
    }
    for (const contentType of ['multipart/form-data', 'multipart/form-data; boundary=x', 'text/plain', 'application/x-www-form-urlencoded']) {
      for (const path of ['/api/conflicts/resolve', '/conflicts/resolve', `/connections/${world.a.name}/pause`, '/login']) {
        const res = await call(world.url, 'POST', path, { session: operator, csrf: null, rawBody: '--x\r\nbroken', headers: { 'content-type': contentType } });
        expect(res.status, `${contentType} ${path}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${contentType} ${path}`).toBeLessThan(500);
      }
    }
    const huge = await call(world.url, 'POST', '/api/conflicts/resolve', { session: operator, rawBody: JSON.stringify({ picks: [], pad: 'x'.repeat(200_000) }) });
    expect(huge.status).toBe(413);
    expect(huge.json()).toEqual({ error: expect.stringContaining('larger than') });
  });

  it('escapes what the pages show: names, report values and reasons with markup stay text', async () => {
    const pages = [`/runs/${world.a.runId}?q=999999`, '/quarantine', `/connections/${encodeURIComponent('<script>alert(1)</script>')}`];
    for (const path of pages) {
      const res = await call(world.url, 'GET', path, { session: operator });
      expect(res.status, path).toBeLessThan(500);
      expect(res.text, path).not.toContain('<script>alert');
      expect(res.text, path).not.toContain('<img src=x');
      expect(res.text, path).toContain('&lt;script&gt;alert');
    }
    const csp = (await call(world.url, 'GET', '/connections', { session: operator })).headers.get('content-security-policy');
    expect(csp).toContain("script-src 'self'");
  });

  it('publishes its OpenAPI document', async () => {
    const doc = (await call(world.url, 'GET', '/api/openapi.json')).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/login', '/api/connections', '/api/connections/{name}', '/api/runs/{id}/report', '/api/runs/{id}/progress', '/api/conflicts/resolve', '/api/quarantine',
    ]));
  });
});

describe('console API: Temporal down', () => {
  it('still lists connections and shows a connection, with schedules unknown, and refuses actions with 503', async () => {
    const down = await startConsole({
      env: parseEnv({}), db: world.harness.db.db, cipher: world.harness.deps.cipher, port: 0, host: '127.0.0.1', logger: createLogger('silent'),
      client: () => Promise.reject(new Error('Temporal is not reachable')),
    });
    try {
      const session = await signInApi(down.url, world.users.operator);
      const list = (await call(down.url, 'GET', '/api/connections', { session })).json() as { temporal: string; connections: Array<{ name: string; schedule: string; lastRun: unknown }> };
      expect(list.temporal).toBe('unavailable');
      const a = list.connections.find((c) => c.name === world.a.name);
      expect(a).toMatchObject({ schedule: 'unknown', lastRun: expect.objectContaining({ id: world.a.runId }) });
      const detail = (await call(down.url, 'GET', `/api/connections/${world.a.name}`, { session })).json() as { schedule: { state: string } };
      expect(detail.schedule.state).toBe('unknown');
      const sync = await call(down.url, 'POST', `/api/connections/${world.a.name}/sync`, { session, body: {} });
      expect(sync.status).toBe(503);
      expect(sync.json()).toEqual({ error: expect.stringContaining('Temporal is not reachable') });
      expect((await call(down.url, 'GET', '/connections', { session })).text).toContain('Temporal is not reachable');
    } finally {
      await down.close();
    }
  });
});
