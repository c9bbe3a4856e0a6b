import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import { canChange, refuseCrossOrigin, signIn, signOut, type ConsoleEnv } from '../auth/session.js';
import { reportCsvStream } from '../csv.js';
import {
  connectionAction, connectionsView, connectionView, conflictsView, quarantineView, reportPage, reportRunId, resolveConflicts, runProgress, runsOf,
  runView, type Action,
} from '../data.js';
import { ConsoleError, type ConsoleDeps } from '../deps.js';
import {
  ConflictsSchema, ConnectionListSchema, ConnectionQuery, ConnectionSchema, ErrorSchema, IdParam, ListQuery, LoginSchema, NameParam, OkSchema,
  PauseSchema, ProgressSchema, QuarantineSchema, ReportPageSchema, ReportQuerySchema, ResolvedSchema, ResolveSchema, RunSchema, RunsSchema,
  SessionSchema,
} from './schemas.js';

/** Bad input answers 400 with the first problem, named by where it is (`query.limit: …`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the hook serves every route's input type
export const validationHook: Hook<any, any, any, any> = (result, c) => {
  if (result.success) return;
  const issue = result.error.issues[0];
  const where = [result.target, ...(issue?.path ?? [])].join('.');
  return c.json({ error: `bad ${where}: ${issue?.message ?? 'invalid value'}.` }, 400);
};

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const errors = {
  400: json(ErrorSchema, 'bad input'), 401: json(ErrorSchema, 'not signed in'), 403: json(ErrorSchema, 'not allowed (viewer, or CSRF token missing)'),
  404: json(ErrorSchema, 'not found, or not yours'),
};
const body = <T extends z.ZodType>(schema: T, required = true) => ({ body: { content: { 'application/json': { schema } }, required } });

const routes = {
  session: createRoute({ method: 'get', path: '/session', tags: ['session'], responses: { 200: json(SessionSchema, 'the signed-in user and the CSRF token'), ...errors } }),
  logout: createRoute({ method: 'post', path: '/logout', tags: ['session'], responses: { 200: json(OkSchema, 'signed out'), ...errors } }),
  connections: createRoute({ method: 'get', path: '/connections', tags: ['connections'], request: { query: ListQuery }, responses: { 200: json(ConnectionListSchema, 'connections visible to the user'), ...errors } }),
  connection: createRoute({ method: 'get', path: '/connections/{name}', tags: ['connections'], request: { params: NameParam }, responses: { 200: json(ConnectionSchema, 'one connection, keys masked'), ...errors } }),
  runs: createRoute({
    method: 'get', path: '/connections/{name}/runs', tags: ['runs'],
    request: { params: NameParam, query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }) },
    responses: { 200: json(RunsSchema, 'recent runs, newest first'), ...errors },
  }),
  action: createRoute({
    method: 'post', path: '/connections/{name}/{action}', tags: ['connections'],
    // The body (a pause reason) is optional: `POST /api/connections/acme/sync` alone starts a sync.
    request: { params: NameParam.extend({ action: z.enum(['sync', 'pause', 'resume']).openapi({ param: { name: 'action', in: 'path' } }) }), ...body(PauseSchema, false) },
    responses: { 200: json(OkSchema, 'done'), 409: json(ErrorSchema, 'not possible now'), 503: json(ErrorSchema, 'Temporal unreachable'), ...errors },
  }),
  run: createRoute({ method: 'get', path: '/runs/{id}', tags: ['runs'], request: { params: IdParam }, responses: { 200: json(RunSchema, 'a run'), ...errors } }),
  progress: createRoute({ method: 'get', path: '/runs/{id}/progress', tags: ['runs'], request: { params: IdParam }, responses: { 200: json(ProgressSchema, "the running workflow's progress query"), ...errors } }),
  report: createRoute({ method: 'get', path: '/runs/{id}/report', tags: ['runs'], request: { params: IdParam, query: ReportQuerySchema }, responses: { 200: json(ReportPageSchema, 'one page of the report'), ...errors } }),
  csv: createRoute({
    method: 'get', path: '/runs/{id}/report.csv', tags: ['runs'], request: { params: IdParam, query: ReportQuerySchema.omit({ after: true, limit: true }) },
    responses: { 200: { content: { 'text/csv': { schema: z.string() } }, description: 'the whole report, streamed' }, ...errors },
  }),
  conflicts: createRoute({ method: 'get', path: '/conflicts', tags: ['conflicts'], request: { query: ConnectionQuery }, responses: { 200: json(ConflictsSchema, 'open conflicts'), ...errors } }),
  resolve: createRoute({ method: 'post', path: '/conflicts/resolve', tags: ['conflicts'], request: body(ResolveSchema), responses: { 200: json(ResolvedSchema, 'resolved'), 409: json(ErrorSchema, 'already resolved'), ...errors } }),
  quarantine: createRoute({ method: 'get', path: '/quarantine', tags: ['quarantine'], request: { query: ConnectionQuery }, responses: { 200: json(QuarantineSchema, 'quarantined records'), ...errors } }),
};

const requireChange = (user: ConsoleEnv['Variables']['user']) => {
  if (!canChange(user)) throw new ConsoleError(403, 'viewers cannot change anything: ask an operator or your HR admin.');
};

export const ACTION_DONE: Record<Action, string> = { sync: 'Sync started (skipped if one is already running).', pause: 'Schedule paused.', resume: 'Schedule resumed.' };

/** The sign-in route: outside the session middleware (nothing to check yet but the origin and the password). */
export function loginApi(deps: ConsoleDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.openapi(
    createRoute({ method: 'post', path: '/login', tags: ['session'], request: body(LoginSchema), responses: { 200: json(SessionSchema, 'signed in; the session cookie is set'), 401: json(ErrorSchema, 'wrong email or password'), 429: json(ErrorSchema, 'too many failures') } }),
    async (c) => {
      refuseCrossOrigin(c);
      const { email, password } = c.req.valid('json');
      const user = await signIn(deps, c, email, password);
      return c.json({ email: user.email, role: user.role, companies: user.companies, csrfToken: user.csrfToken }, 200);
    },
  );
  return app;
}

/** The JSON API behind the session and CSRF middlewares (mounted at /api). */
export function consoleApi(deps: ConsoleDeps) {
  const app = new OpenAPIHono<ConsoleEnv>({ defaultHook: validationHook });
  app.openapi(routes.session, (c) => {
    const u = c.get('user');
    return c.json({ email: u.email, role: u.role, companies: u.companies, csrfToken: u.csrfToken }, 200);
  });
  app.openapi(routes.logout, async (c) => {
    await signOut(deps, c);
    return c.json({ ok: true as const, message: 'Signed out.' }, 200);
  });
  app.openapi(routes.connections, async (c) => c.json(await connectionsView(deps, c.get('scope'), c.req.valid('query')), 200));
  app.openapi(routes.connection, async (c) => c.json(await connectionView(deps, c.get('scope'), c.req.valid('param').name), 200));
  app.openapi(routes.runs, async (c) => c.json(await runsOf(deps, c.get('scope'), c.req.valid('param').name, c.req.valid('query').limit), 200));
  app.openapi(routes.action, async (c) => {
    requireChange(c.get('user'));
    const { name, action } = c.req.valid('param');
    await connectionAction(deps, c.get('user'), c.get('scope'), name, action, c.req.valid('json').reason);
    return c.json({ ok: true as const, message: ACTION_DONE[action] }, 200);
  });
  app.openapi(routes.run, async (c) => c.json(await runView(deps, c.get('scope'), c.req.valid('param').id), 200));
  app.openapi(routes.progress, async (c) => c.json(await runProgress(deps, c.get('scope'), c.req.valid('param').id), 200));
  app.openapi(routes.report, async (c) => {
    const q = c.req.valid('query');
    return c.json(await reportPage(deps, c.get('scope'), c.req.valid('param').id, { after: q.after, limit: q.limit, action: q.action, search: q.q }), 200);
  });
  app.openapi(routes.csv, async (c) => {
    const { action, q } = c.req.valid('query');
    const runId = await reportRunId(deps, c.get('scope'), c.req.valid('param').id);
    return csvResponse(deps, runId, { action, search: q });
  });
  app.openapi(routes.conflicts, async (c) => c.json(await conflictsView(deps, c.get('scope'), c.req.valid('query').connection), 200));
  app.openapi(routes.resolve, async (c) => {
    requireChange(c.get('user'));
    return c.json({ resolved: await resolveConflicts(deps, c.get('user'), c.get('scope'), c.req.valid('json').picks) }, 200);
  });
  app.openapi(routes.quarantine, async (c) => c.json(await quarantineView(deps, c.get('scope'), c.req.valid('query').connection), 200));
  return app;
}

export function csvResponse(deps: ConsoleDeps, runId: string, filter: { action?: string | undefined; search?: string | undefined }) {
  return new Response(reportCsvStream(deps.db, runId, filter), {
    status: 200,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="report-${runId}.csv"` },
  });
}
