import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { ensureSchedule } from '../../client/schedules.js';
import { parseEnv } from '../../config/env.js';
import { addUser } from '../../console/auth/users.js';
import type { AuditEntry, Health } from '../../console/seams.js';
import { startConsole } from '../../console/server.js';
import { conflicts, connections, quarantine, reportLines } from '../../db/schema.js';
import { createLogger } from '../../lib/logger.js';
import { createSyncHarness, type SyncHarness } from './sync-harness.js';

export interface Login {
  email: string;
  password: string;
}

export interface ConsoleWorld {
  harness: SyncHarness;
  url: string;
  deps: Awaited<ReturnType<typeof startConsole>>['deps'];
  companies: { a: string; b: string };
  /** Company A's and company B's connection, each synced once, with a schedule, a conflict and a quarantined record. */
  a: { id: string; name: string; runId: string; conflictId: number };
  b: { id: string; name: string; runId: string; conflictId: number };
  users: { operator: Login; hrA: Login; viewerA: Login };
  /** Every key stored, in clear and as stored (encrypted): none may appear in a response. */
  secrets: string[];
  /** What the console handed to the audit seam (services/audit.ts at merge). */
  audit: AuditEntry[];
  /** Text with HTML in it, stored where pages show it (a quarantine reason, a report value). */
  hostile: string;
  close(): Promise<void>;
}

/**
 * Two companies on the suite's real Temporal and Postgres: one HappyPal connection each, synced
 * through the real workflow, plus accounts (an operator, an HR admin and a viewer of company A)
 * and the console serving them on a free port.
 */
export async function createConsoleWorld(options: { markup?: boolean; realAudit?: boolean } = {}): Promise<ConsoleWorld> {
  const harness = await createSyncHarness({ company: { employees: 12, seed: 5 }, luccaApiKey: 'console-test-lucca-key-0123456789' });
  const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const companies = { a: `acme-${suffix}`, b: `globex-${suffix}` };
  // The browser tests keep readable values for their screenshots; the API tests store markup.
  const hostile = options.markup === false ? 'Martin-Dupont' : '<script>alert("x")</script><img src=x onerror=alert(1)>';
  const setUp = async (company: string) => {
    const { id, name } = await harness.addConnection({ company, defaultPolicy: 'review' });
    await ensureSchedule(harness.client, {
      connection: { id, name, target: 'happypal' }, cadence: { kind: 'daily', hour: 6, minute: 0, timezone: 'Europe/Paris' }, taskQueue: harness.taskQueue,
    });
    const summary = await harness.sync(id);
    const runId = summary.runId;
    const [conflict] = await harness.db.db.insert(conflicts).values({
      connectionId: id, dataset: 'employees', sourceId: '424242', targetId: 'hp-1', field: 'lastName',
      baseValue: 'Martin', sourceValue: 'Martin-Durand', targetValue: hostile, openedRunId: runId, lastSeenRunId: runId,
    }).returning();
    await harness.db.db.insert(quarantine).values({
      connectionId: id, dataset: 'employees', sourceId: '434343', reasons: [{ code: 'invalid_value', field: 'email', message: `email ${hostile} is not an email address` }], lastRunId: runId,
    }).onConflictDoNothing();
    return { id, name, runId, conflictId: conflict!.id };
  };
  const a = await setUp(companies.a);
  const b = await setUp(companies.b);
  // A report line whose value carries markup, so the run page's escaping is tested.
  await harness.db.db.insert(reportLines).values({
    runId: a.runId, seq: 1_000_000, dataset: 'employees', sourceId: '999999', action: 'updated', outcome: 'applied',
    changes: [{ field: 'lastName', before: 'Doe', after: hostile }],
  });

  const password = () => randomBytes(12).toString('base64url');
  const users = {
    operator: { email: `operator-${suffix}@test.local`, password: password() },
    hrA: { email: `hr-${suffix}@acme.test`, password: password() },
    viewerA: { email: `viewer-${suffix}@acme.test`, password: password() },
  };
  await addUser(harness.db.db, { ...users.operator, role: 'operator' });
  await addUser(harness.db.db, { ...users.hrA, role: 'hr-admin', companies: [companies.a] });
  await addUser(harness.db.db, { ...users.viewerA, role: 'viewer', companies: [companies.a] });

  const stored = await harness.db.db.select().from(connections).where(eq(connections.id, a.id));
  const secrets = [harness.lucca.apiKey, harness.happypal.apiKey, stored[0]!.luccaKeyEnc, stored[0]!.targetKeyEnc];
  // The wizard's preview and the schedules run on the harness's task queue; the simulators are on 127.0.0.1.
  const env = parseEnv({ CONSOLE_SESSION_HOURS: '1', TEMPORAL_TASK_QUEUE: harness.taskQueue, LUCCA_ALLOWED_HOSTS: '127.0.0.1' });
  // Stand-ins for issue 18's services behind the console's seams: A is "ok", B "failing".
  const audit: AuditEntry[] = [];
  // realAudit: the service layer's audit log (services/audit.ts), as in production.
  const seams = {
    healthOf: async () => new Map<string, Health>([[a.id, 'ok'], [b.id, 'failing']]),
    ...(!options.realAudit && {
      recordAudit: async (_db: unknown, entry: AuditEntry) => void audit.push(entry),
      listAudit: async (_db: unknown, connectionId: string) => audit.filter((e) => e.connectionId === connectionId),
    }),
  };
  const server = await startConsole({
    env, db: harness.db.db, cipher: harness.deps.cipher, client: harness.client, port: 0, host: '127.0.0.1', logger: createLogger('silent'), seams,
  });
  return {
    harness, url: server.url, deps: server.deps, companies, a, b, users, secrets, hostile, audit,
    async close() {
      await server.close();
      await harness.close();
    },
  };
}

/** A signed-in API client: the session cookie and the CSRF token, as a browser script would hold them. */
export interface ApiSession {
  cookie: string;
  csrf: string;
}

export async function signInApi(url: string, login: Login): Promise<ApiSession> {
  const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(login) });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}

export async function call(
  url: string, method: string, path: string,
  options: { session?: ApiSession; csrf?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; json: () => unknown; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.session) headers.cookie = options.session.cookie;
  const csrf = options.csrf === undefined ? options.session?.csrf : options.csrf;
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  } else if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text), headers: res.headers };
}
