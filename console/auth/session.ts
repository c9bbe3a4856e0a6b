import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import {
  clearFailures, countRecentFailures, deleteSession, EmailSchema, findSessionUser, findUserByEmail, insertSession, recordFailure,
  type SessionUser,
} from '../../db/queries/console-auth.js';
import type { Scope } from '../../db/queries/console.js';
import { ConsoleError, type ConsoleDeps } from '../deps.js';
import { decoyHash, verifyPassword } from './passwords.js';

export const SESSION_COOKIE = 'lucca_console_session';
export type ConsoleEnv = { Variables: { user: SessionUser; scope: Scope; sessionHash: string } };

/** Failed sign-ins allowed per account in the window, then 429 until the window has passed. */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const scopeOf = (user: Pick<SessionUser, 'role' | 'companies'>): Scope =>
  user.role === 'operator' ? { all: true } : { all: false, companies: user.companies };
export const canChange = (user: Pick<SessionUser, 'role'>) => user.role !== 'viewer';

/** Checks the password (argon2id), rate-limits failures per account, and opens a session cookie. */
export async function signIn(deps: ConsoleDeps, c: Context, rawEmail: string, password: string): Promise<SessionUser> {
  const parsed = EmailSchema.safeParse(rawEmail);
  const email = parsed.success ? parsed.data : rawEmail.trim().toLowerCase().slice(0, 254);
  // The account's bucket holds a hash, not the email.
  const bucket = `console-login:${sha256(email).slice(0, 24)}`;
  if ((await countRecentFailures(deps.db, bucket, LOGIN_WINDOW_MS)) >= LOGIN_MAX_FAILURES) {
    throw new ConsoleError(429, 'too many failed sign-ins for this account: wait 15 minutes, or ask an operator to reset the password.');
  }
  const user = parsed.success ? await findUserByEmail(deps.db, email) : undefined;
  const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await decoyHash(), password), false);
  if (!user || !ok) {
    await recordFailure(deps.db, bucket);
    throw new ConsoleError(401, 'wrong email or password.');
  }
  await clearFailures(deps.db, bucket);
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const maxAge = Math.round(deps.sessionHours * 3600);
  await insertSession(deps.db, { tokenHash: sha256(token), userId: user.id, csrfToken, expiresAt: new Date(Date.now() + maxAge * 1000) });
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', secure: deps.secureCookies, path: '/', maxAge });
  const session = await findSessionUser(deps.db, sha256(token));
  if (!session) throw new Error('The session was not stored.');
  return session;
}

export async function signOut(deps: ConsoleDeps, c: Context): Promise<void> {
  const token = getCookie(c, SESSION_COOKIE);
  if (token) await deleteSession(deps.db, sha256(token));
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

const isApi = (c: Context) => c.req.path.startsWith('/api/');
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every route but sign-in needs a session: the API answers 401, pages send the browser to /login. */
export function requireSession(deps: ConsoleDeps) {
  return createMiddleware<ConsoleEnv>(async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const user = token && token.length <= 100 ? await findSessionUser(deps.db, sha256(token)) : undefined;
    if (!user) {
      if (isApi(c) || !SAFE.has(c.req.method)) throw new ConsoleError(401, 'not signed in: sign in at /login (or POST /api/login).');
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    c.set('user', user);
    c.set('scope', scopeOf(user));
    c.set('sessionHash', sha256(token as string));
    await next();
  });
}

/** The posted form; a body that is not one (broken multipart, wrong encoding) is the sender's mistake. */
export async function formOf(c: Context): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody();
  } catch {
    throw new ConsoleError(400, 'the form could not be read: send application/x-www-form-urlencoded or multipart/form-data.');
  }
}

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * CSRF: every state change carries the session's token, in the X-CSRF-Token header (API) or the
 * `_csrf` form field (pages). SameSite=Strict cookies are the first line; this is the second.
 */
export const requireCsrf = createMiddleware<ConsoleEnv>(async (c, next) => {
  if (SAFE.has(c.req.method)) return next();
  let sent = c.req.header('x-csrf-token');
  if (!sent && /^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(c.req.header('content-type') ?? '')) {
    const field = (await formOf(c))._csrf;
    sent = typeof field === 'string' ? field : undefined;
  }
  if (!sent || !sameToken(sent, c.get('user').csrfToken)) {
    throw new ConsoleError(403, 'missing or wrong CSRF token: reload the page (API: send the X-CSRF-Token header from GET /api/session).');
  }
  await next();
});

/** Sign-in has no session yet: a cross-site form post is refused by its Origin. */
export function refuseCrossOrigin(c: Context): void {
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== c.req.header('host')) throw new ConsoleError(403, 'sign-in from another site is refused.');
}
