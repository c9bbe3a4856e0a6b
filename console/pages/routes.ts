import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { SessionUser } from '../../db/queries/console-auth.js';
import { csvResponse, ACTION_DONE, setupSavedMessage } from '../api/routes.js';
import { ListQuery, PolicyInputSchema, ReportQuerySchema } from '../api/schemas.js';
import { canChange, formOf, refuseCrossOrigin, signIn, signOut, type ConsoleEnv } from '../auth/session.js';
import {
  activate, changePolicy, connectionAction, connectionsView, connectionView, conflictsView, fullResync, quarantineView, relinkConnection, reportPage,
  reportRunId, resolveConflicts, runView, type ConnectionView, type Side,
} from '../data.js';
import { postSetupStep, settingsFromForm, setupView, type Step } from '../setup.js';
import type { Html } from './layout.js';
import { policyPage, relinkPage } from './manage.js';
import { SETUP_STEPS, setupLuccaPage, setupPreviewPage, setupSavePage, setupSettingsPage, setupTargetPage, stepOpen, type SetupStep } from './setup.js';
import { ConsoleError, type ConsoleDeps } from '../deps.js';
import { conflictsPage } from './conflicts.js';
import { connectionPage } from './connection.js';
import { connectionsPage } from './connections.js';
import { loginPage } from './login.js';
import { quarantinePage } from './quarantine.js';
import { runPage } from './run.js';

/** Same query rules as the API: a bad value is a 400 with the same message. */
function query<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConsoleError(400, `bad query.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid value'}.`);
  }
  return result.data;
}

const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(next) ? next : '/connections');
const flashOf = (c: Context) => (ACTION_DONE as Record<string, string>)[c.req.query('done') ?? ''] ?? undefined;

export function loginPages(deps: ConsoleDeps) {
  const app = new Hono();
  app.get('/login', (c) => c.html(loginPage({ next: safeNext(c.req.query('next')) })));
  app.post('/login', async (c) => {
    refuseCrossOrigin(c);
    const form = await formOf(c);
    const email = typeof form.email === 'string' ? form.email : '';
    const next = safeNext(form.next);
    try {
      await signIn(deps, c, email, typeof form.password === 'string' ? form.password : '');
    } catch (err) {
      if (err instanceof ConsoleError) return c.html(loginPage({ next, error: err.message, email: email.slice(0, 254) }), err.status as 401);
      throw err;
    }
    return c.redirect(next, 303);
  });
  return app;
}

function requireChange(user: SessionUser) {
  if (!canChange(user)) throw new ConsoleError(403, 'viewers cannot change anything: ask an operator or your HR admin.');
}

export function consolePages(deps: ConsoleDeps) {
  const app = new Hono<ConsoleEnv>();
  app.get('/', (c) => c.redirect('/connections', 303));
  app.post('/logout', async (c) => {
    await signOut(deps, c);
    return c.redirect('/login', 303);
  });
  app.get('/connections', async (c) => {
    const filter = query(c, ListQuery);
    return c.html(connectionsPage(c.get('user'), await connectionsView(deps, c.get('scope'), filter), filter));
  });
  app.get('/connections/:name', async (c) => {
    const view = await connectionView(deps, c.get('scope'), c.req.param('name').slice(0, 100));
    return c.html(connectionPage(c.get('user'), view, flashOf(c)));
  });
  /**
   * A connection's form (relink, policy): GET shows it, POST applies it and returns to the connection;
   * a refusal `shownAgain` accepts shows the form again with the reason.
   */
  const connectionForm = (
    action: 'relink' | 'policy',
    page: (user: SessionUser, view: ConnectionView, error?: string) => Html,
    apply: (c: Context<ConsoleEnv>, name: string, form: Record<string, unknown>) => Promise<void>,
    shownAgain: (err: ConsoleError) => boolean,
  ) => {
    app.get(`/connections/:name/${action}`, async (c) => {
      requireChange(c.get('user'));
      return c.html(page(c.get('user'), await connectionView(deps, c.get('scope'), c.req.param('name').slice(0, 100))));
    });
    app.post(`/connections/:name/${action}`, async (c) => {
      requireChange(c.get('user'));
      const name = c.req.param('name').slice(0, 100);
      const form = await formOf(c);
      try {
        await apply(c, name, form);
      } catch (err) {
        // The form again, with the reason (the connection is in scope: it was found above).
        if (err instanceof ConsoleError && shownAgain(err)) {
          return c.html(page(c.get('user'), await connectionView(deps, c.get('scope'), name), err.message), err.status as 400);
        }
        throw err;
      }
      return c.redirect(`/connections/${encodeURIComponent(name)}?done=${action}`, 303);
    });
  };
  connectionForm('relink', relinkPage, async (c, name, form) => {
    const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 4096) : undefined);
    await relinkConnection(deps, c.get('user'), c.get('scope'), name, { luccaKey: text(form.luccaKey), targetKey: text(form.targetKey), confirmLessAccess: form.confirmLessAccess === 'yes' });
  }, (err) => err.status !== 404 && err.status !== 403);
  connectionForm('policy', policyPage, async (c, name, form) => {
    const fieldPolicies: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(form)) if (k.startsWith('fp-') && typeof v === 'string') fieldPolicies[k.slice(3)] = v === '' ? null : v;
    const parsed = PolicyInputSchema.safeParse({
      ...(typeof form.defaultPolicy === 'string' && { defaultPolicy: form.defaultPolicy }),
      fieldPolicies,
      ...(typeof form.guard === 'string' && { deactivationGuardPct: /^\d{1,3}$/.test(form.guard) ? Number(form.guard) : NaN }),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConsoleError(400, `bad ${issue?.path.join('.') || 'form'}: ${issue?.message ?? 'invalid value'}.`);
    }
    await changePolicy(deps, c.get('user'), c.get('scope'), name, parsed.data);
  }, (err) => err.status === 400);
  app.post('/connections/:name/:action{full|activate}', async (c) => {
    requireChange(c.get('user'));
    const name = c.req.param('name').slice(0, 100);
    if (c.req.param('action') === 'full') {
      const { runId } = await fullResync(deps, c.get('user'), c.get('scope'), name);
      return c.redirect(`/runs/${runId}`, 303);
    }
    await activate(deps, c.get('user'), c.get('scope'), name);
    return c.redirect(`/connections/${encodeURIComponent(name)}?done=activate`, 303);
  });

  // The setup wizard: one draft per session, its keys kept server-side only.
  const stepPage = { lucca: setupLuccaPage, target: setupTargetPage, settings: setupSettingsPage, preview: setupPreviewPage, save: setupSavePage } as const;
  app.get('/setup', async (c) => {
    const view = await setupView(deps, c.get('user'), c.get('sessionHash'));
    const next = SETUP_STEPS.map(([s]) => s).find((s) => s === 'save' || !view.steps[s as keyof typeof view.steps]) ?? 'lucca';
    return c.redirect(`/setup/${stepOpen(view, next) ? next : 'lucca'}`, 303);
  });
  app.get('/setup/:step{lucca|target|settings|preview|save}', async (c) => {
    const step = c.req.param('step') as SetupStep;
    const view = await setupView(deps, c.get('user'), c.get('sessionHash'));
    if (!stepOpen(view, step)) return c.redirect('/setup', 303);
    return c.html(stepPage[step](c.get('user'), view));
  });
  app.post('/setup/:step{lucca|target|settings|preview|save|discard}', async (c) => {
    requireChange(c.get('user'));
    const step = c.req.param('step') as Step;
    const form = await formOf(c);
    const input = step === 'settings' ? settingsFromForm(form) : form;
    let done;
    try {
      done = await postSetupStep(deps, c.get('user'), c.get('sessionHash'), step, input);
    } catch (err) {
      if (err instanceof ConsoleError && err.status < 500 && err.status !== 403 && step !== 'discard') {
        return c.html(stepPage[step](c.get('user'), await setupView(deps, c.get('user'), c.get('sessionHash')), err.message), err.status as 400);
      }
      throw err;
    }
    if ('saved' in done && done.saved) return c.redirect(`/connections/${encodeURIComponent(done.saved.name)}?done=${done.saved.active ? 'setup' : 'setup-reflect'}`, 303);
    if ('discarded' in done) return c.redirect('/connections', 303);
    const next: Record<string, string> = { lucca: 'lucca', target: 'target', settings: 'preview', preview: 'preview' };
    return c.redirect(`/setup/${next[step] ?? 'lucca'}`, 303);
  });

  app.post('/connections/:name/:action{sync|pause|resume}', async (c) => {
    requireChange(c.get('user'));
    const name = c.req.param('name').slice(0, 100);
    const action = c.req.param('action') as 'sync' | 'pause' | 'resume';
    const reason = (await formOf(c)).reason;
    // One line of text, as the API's PauseSchema asks.
    const line = typeof reason === 'string' ? reason.replace(/[\u0000-\u001f]/g, ' ').trim().slice(0, 200) : '';
    await connectionAction(deps, c.get('user'), c.get('scope'), name, action, line || undefined);
    return c.redirect(`/connections/${encodeURIComponent(name)}?done=${action}`, 303);
  });
  app.get('/runs/:id', async (c) => {
    const id = c.req.param('id');
    const q = query(c, ReportQuerySchema);
    const run = await runView(deps, c.get('scope'), id);
    const page = await reportPage(deps, c.get('scope'), id, { after: q.after, limit: q.limit, action: q.action, search: q.q });
    return c.html(runPage(c.get('user'), run, page, { action: q.action, q: q.q, after: q.after }));
  });
  app.get('/runs/:id/report.csv', async (c) => {
    const q = query(c, ReportQuerySchema);
    return csvResponse(deps, await reportRunId(deps, c.get('scope'), c.req.param('id')), { action: q.action, search: q.q });
  });
  app.get('/conflicts', async (c) => {
    const { connection } = query(c, z.object({ connection: z.string().max(100).optional() }));
    const done = Number(c.req.query('resolved'));
    return c.html(conflictsPage(c.get('user'), await conflictsView(deps, c.get('scope'), connection), done > 0 ? `${done} conflict(s) resolved.` : undefined));
  });
  app.post('/conflicts/resolve', async (c) => {
    requireChange(c.get('user'));
    const form = await formOf(c);
    const picks: Array<{ id: number; keep: Side }> = [];
    const add = (id: string, keep: unknown) => {
      if (!/^\d{1,15}$/.test(id) || (keep !== 'lucca' && keep !== 'target')) throw new ConsoleError(400, 'bad pick: expected a conflict id and lucca or target.');
      picks.push({ id: Number(id), keep });
    };
    if (typeof form.one === 'string') {
      const [id = '', keep] = form.one.split(':');
      add(id, keep);
    } else {
      for (const [key, value] of Object.entries(form)) if (key.startsWith('pick-')) add(key.slice(5), value);
    }
    if (picks.length === 0) throw new ConsoleError(400, 'nothing picked: choose Lucca or the target for at least one conflict.');
    if (picks.length > 500) throw new ConsoleError(400, 'too many picks at once: 500 at most.');
    const resolved = await resolveConflicts(deps, c.get('user'), c.get('scope'), picks);
    return c.redirect(`/conflicts?resolved=${resolved.length}`, 303);
  });
  app.get('/quarantine', async (c) => {
    const { connection } = query(c, z.object({ connection: z.string().max(100).optional() }));
    return c.html(quarantinePage(c.get('user'), await quarantineView(deps, c.get('scope'), connection)));
  });
  return app;
}
