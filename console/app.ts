import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { consoleApi, loginApi, validationHook } from './api/routes.js';
import { requireCsrf, requireSession, type ConsoleEnv } from './auth/session.js';
import { ConsoleError, type ConsoleDeps } from './deps.js';
import { CONFLICTS_JS, CSS, RUN_JS } from './pages/assets.js';
import { errorPage } from './pages/layout.js';
import { consolePages, loginPages } from './pages/routes.js';

/** Requests larger than this are refused with 413 before they are read (forms and JSON are small). */
export const MAX_BODY_BYTES = 64 * 1024;

const isApi = (c: Context) => c.req.path.startsWith('/api/');

/**
 * The console: JSON API under /api (OpenAPI at /api/openapi.json) and server-rendered pages, one
 * Hono app. Order: security headers, body limit, public routes (assets, sign-in, the contract),
 * then the session and CSRF checks for everything else.
 */
export function createConsoleApp(deps: ConsoleDeps) {
  const app = new OpenAPIHono<ConsoleEnv>({ defaultHook: validationHook });
  app.use(secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"] },
    referrerPolicy: 'same-origin',
  }));
  app.use(bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ConsoleError(413, `the request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`); } }));
  app.use('*', async (c, next) => {
    // PostgreSQL text cannot hold NUL: refused here, so no query ever fails on one.
    const url = new URL(c.req.url);
    let decoded = url.pathname + url.search;
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // Malformed escapes stay as they are: routes read them as plain (unknown) names.
    }
    if (decoded.includes('\u0000')) throw new ConsoleError(400, 'the address holds a NUL character: remove it.');
    await next();
    // Pages and API answers hold personal data: never cached by the browser or a proxy.
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', c.req.path.startsWith('/assets/') ? 'max-age=300' : 'no-store');
  });

  const asset = (type: string, content: string) => (c: Context) => c.body(content, 200, { 'content-type': `${type}; charset=utf-8` });
  app.get('/assets/console.css', asset('text/css', CSS));
  app.get('/assets/run.js', asset('text/javascript', RUN_JS));
  app.get('/assets/conflicts.js', asset('text/javascript', CONFLICTS_JS));
  app.get('/healthz', (c) => c.text('ok'));
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Lucca connectors console API', version: '1', description: 'Sign in with POST /api/login; send the session cookie, and X-CSRF-Token (from GET /api/session) on every POST.' },
  });
  app.route('/api', loginApi(deps));
  app.route('/', loginPages(deps));

  app.use('*', requireSession(deps));
  app.use('*', requireCsrf);
  app.route('/api', consoleApi(deps));
  app.route('/', consolePages(deps));

  app.notFound((c) => {
    if (isApi(c)) return c.json({ error: `no such route: ${c.req.method} ${c.req.path}; see /api/openapi.json.` }, 404);
    return c.html(errorPage(404, 'There is no such page.', c.get('user')), 404);
  });
  app.onError((err, c) => {
    const status = err instanceof ConsoleError ? err.status : err instanceof HTTPException ? err.status : 500;
    const message = err instanceof ConsoleError ? err.message
      : err instanceof HTTPException ? (err.message || 'bad request.')
      : 'the console failed to answer: the error is logged; try again, or tell an operator.';
    if (status >= 500) // Name and code only: a message may quote the values of the request.
      deps.logger.error({ err: { name: err.name, code: (err as { code?: unknown }).code }, method: c.req.method, route: c.req.routePath }, 'console request failed');
    if (isApi(c) || c.req.header('accept')?.includes('application/json')) return c.json({ error: message }, status as 400);
    return c.html(errorPage(status, message, c.get('user')), status as 400);
  });
  return app;
}
