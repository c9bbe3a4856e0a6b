import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { canChange, refuseCrossOrigin, signIn, signOut, type ConsoleEnv } from '../auth/session.js';
import { reportCsvStream } from '../csv.js';
import {
  activate, changePolicy, connectionAction, connectionsView, connectionView, conflictsView, fullResync, quarantineView, relinkConnection, reportPage,
  reportRunId, resolveConflicts, runProgress, runsOf, runView, type Action,
} from '../data.js';
import { postSetupStep, setupView } from '../setup.js';
import { ConsoleError, type ConsoleDeps } from '../deps.js';
import {
  ConflictsSchema, ConnectionListSchema, ConnectionQuery, ConnectionSchema, ErrorSchema, IdParam, ListQuery, LoginSchema, NameParam, OkSchema,
  PauseSchema, ProgressSchema, QuarantineSchema, ReportPageSchema, ReportQuerySchema, ResolvedSchema, ResolveSchema, RunSchema, RunsSchema,
  SessionSchema, ActionDoneSchema, ChangedSchema, PolicyInputSchema, RelinkedSchema, RelinkSchema, SetupLuccaSchema, SetupSavedSchema,
  SetupSettingsSchema, SetupTargetSchema, SetupViewSchema,
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
    description: 'sync now (through the schedule), pause, resume; full: a full resync (a manual run re-reading everything, as `sync run --full`); activate: operators only.',
    request: { params: NameParam.extend({ action: z.enum(['sync', 'pause', 'resume', 'full', 'activate']).openapi({ param: { name: 'action', in: 'path' } }) }), ...body(PauseSchema, false) },
    responses: { 200: json(ActionDoneSchema, 'done'), 409: json(ErrorSchema, 'not possible now'), 503: json(ErrorSchema, 'Temporal unreachable'), ...errors },
  }),
  relink: createRoute({
    method: 'post', path: '/connections/{name}/relink', tags: ['connections'], description: 'rotate the Lucca and/or target key in place: each new key is tested before it is saved',
    request: { params: NameParam, ...body(RelinkSchema) },
    responses: { 200: json(RelinkedSchema, 'saved'), 409: json(ErrorSchema, 'a new key failed its test, or sees less (unless confirmed)'), ...errors },
  }),
  policy: createRoute({
    method: 'post', path: '/connections/{name}/policy', tags: ['connections'], request: { params: NameParam, ...body(PolicyInputSchema) },
    responses: { 200: json(ChangedSchema, 'saved'), ...errors },
  }),
  setup: createRoute({ method: 'get', path: '/setup', tags: ['setup'], responses: { 200: json(SetupViewSchema, "this session's setup, keys never included"), ...errors } }),
  setupLucca: createRoute({
    method: 'post', path: '/setup/lucca', tags: ['setup'], description: 'step 1: test the Lucca URL and key (the diagnosis names what is missing)',
    request: body(SetupLuccaSchema), responses: { 200: json(SetupViewSchema, 'tested: see lucca.usable and lucca.lines'), ...errors },
  }),
  setupTarget: createRoute({
    method: 'post', path: '/setup/target', tags: ['setup'], description: 'step 2: test the target URL and key',
    request: body(SetupTargetSchema), responses: { 200: json(SetupViewSchema, 'tested: see target.usable and target.lines'), ...errors },
  }),
  setupSettings: createRoute({
    method: 'post', path: '/setup/settings', tags: ['setup'], description: 'step 3: name, company, policies, schedule',
    request: body(SetupSettingsSchema), responses: { 200: json(SetupViewSchema, 'kept'), 409: json(ErrorSchema, 'the name is taken'), ...errors },
  }),
  setupPreview: createRoute({
    method: 'post', path: '/setup/preview', tags: ['setup'], description: 'step 4: a dry run of the connection, stored inactive: nothing is written to the target',
    responses: { 200: json(SetupViewSchema, 'started: follow preview.runId'), 409: json(ErrorSchema, 'a preview is running'), ...errors },
  }),
  setupSave: createRoute({
    method: 'post', path: '/setup/save', tags: ['setup'], description: 'step 5: save; HappyPal is activated with its schedule, Reflect stays inactive until an operator activates it',
    responses: { 200: json(SetupSavedSchema, 'saved'), 409: json(ErrorSchema, 'no finished preview yet'), ...errors },
  }),
  setupDiscard: createRoute({ method: 'post', path: '/setup/discard', tags: ['setup'], responses: { 200: json(OkSchema, 'discarded, with the inactive connection of its preview'), ...errors } }),
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

export const ACTION_DONE: Record<Action | 'full' | 'activate' | 'relink' | 'policy' | 'setup' | 'setup-reflect', string> = {
  sync: 'Sync started (skipped if one is already running).', pause: 'Schedule paused.', resume: 'Schedule resumed.',
  full: 'Full resync started.', activate: 'Connection activated: its schedule runs.', relink: 'New key tested and saved.', policy: 'Policy saved.',
  setup: 'Connection saved and active: its schedule runs.', 'setup-reflect': 'Connection saved, inactive until an operator activates it.',
};

export const setupSavedMessage = (active: boolean) => (active ? ACTION_DONE.setup : ACTION_DONE['setup-reflect']);

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
  // Before the generic action route: its {action} would otherwise claim these paths.
  app.openapi(routes.relink, async (c) => {
    requireChange(c.get('user'));
    return c.json(await relinkConnection(deps, c.get('user'), c.get('scope'), c.req.valid('param').name, c.req.valid('json')), 200);
  });
  app.openapi(routes.policy, async (c) => {
    requireChange(c.get('user'));
    return c.json(await changePolicy(deps, c.get('user'), c.get('scope'), c.req.valid('param').name, c.req.valid('json')), 200);
  });
  app.openapi(routes.action, async (c) => {
    requireChange(c.get('user'));
    const { name, action } = c.req.valid('param');
    if (action === 'full') {
      const { runId } = await fullResync(deps, c.get('user'), c.get('scope'), name);
      return c.json({ ok: true as const, message: ACTION_DONE.full, runId }, 200);
    }
    if (action === 'activate') {
      const done = await activate(deps, c.get('user'), c.get('scope'), name);
      return c.json({ ok: true as const, message: `${ACTION_DONE.activate} (${done.schedule})` }, 200);
    }
    await connectionAction(deps, c.get('user'), c.get('scope'), name, action, c.req.valid('json').reason);
    return c.json({ ok: true as const, message: ACTION_DONE[action] }, 200);
  });
  app.openapi(routes.setup, async (c) => c.json(await setupView(deps, c.get('user'), c.get('sessionHash')), 200));
  const step = async (c: Context<ConsoleEnv>, name: 'lucca' | 'target' | 'settings' | 'preview', input: Record<string, unknown>) => {
    const done = await postSetupStep(deps, c.get('user'), c.get('sessionHash'), name, input);
    if (!('view' in done) || !done.view) throw new Error('the setup step returned no view');
    return done.view;
  };
  app.openapi(routes.setupLucca, async (c) => c.json(await step(c, 'lucca', c.req.valid('json')), 200));
  app.openapi(routes.setupTarget, async (c) => c.json(await step(c, 'target', c.req.valid('json')), 200));
  app.openapi(routes.setupSettings, async (c) => c.json(await step(c, 'settings', c.req.valid('json')), 200));
  app.openapi(routes.setupPreview, async (c) => c.json(await step(c, 'preview', {}), 200));
  app.openapi(routes.setupSave, async (c) => {
    const done = await postSetupStep(deps, c.get('user'), c.get('sessionHash'), 'save', {});
    if (!('saved' in done) || !done.saved) throw new Error('the setup was not saved');
    return c.json({ ...done.saved, message: setupSavedMessage(done.saved.active) }, 200);
  });
  app.openapi(routes.setupDiscard, async (c) => {
    await postSetupStep(deps, c.get('user'), c.get('sessionHash'), 'discard', {});
    return c.json({ ok: true as const, message: 'Setup discarded.' }, 200);
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
