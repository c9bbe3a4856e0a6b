import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SessionUser } from '../../db/queries/console-auth.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const ROLE_LABEL = { operator: 'operator', 'hr-admin': 'HR admin', viewer: 'viewer' } as const;
const NAV = [['/connections', 'Connections'], ['/conflicts', 'Conflicts'], ['/quarantine', 'Quarantine']] as const;

/**
 * Every page: semantic landmarks, a skip link, the signed-in user and sign-out. Values go through
 * hono/html's template, which escapes everything interpolated (raw() is never given user data).
 */
export function layout(options: { title: string; user?: SessionUser; current?: string; script?: string }, body: Html): Html {
  const { title, user, current } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Lucca connectors</title>
<link rel="stylesheet" href="/assets/console.css">
${options.script ? html`<script src="/assets/${options.script}" defer></script>` : ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/connections">Lucca connectors</a>
  ${user
    ? html`<nav aria-label="Main"><ul>${NAV.map(([href, label]) =>
        html`<li><a href="${href}"${current === href ? html` aria-current="page"` : ''}>${label}</a></li>`)}${user.role !== 'viewer'
        ? html`<li><a href="/setup"${current === '/setup' ? html` aria-current="page"` : ''}>Set up a connection</a></li>` : ''}</ul></nav>
  <form class="who" method="post" action="/logout"><span>${user.email} · ${ROLE_LABEL[user.role]}</span>
    <input type="hidden" name="_csrf" value="${user.csrfToken}"><button type="submit" class="link">Sign out</button></form>`
    : ''}
</header>
<main id="main">
${body}
</main>
</body>
</html>`;
}

export const csrfField = (user: SessionUser) => html`<input type="hidden" name="_csrf" value="${user.csrfToken}">`;

export function when(at: string | null | undefined): Html {
  if (!at) return html`<span class="muted">–</span>`;
  return html`<time datetime="${at}">${at.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

const STATUS_CLASS: Record<string, string> = { completed: 'ok', running: 'info', failed: 'bad', blocked: 'warn', cancelled: 'muted' };
export const statusBadge = (status: string | null | undefined) =>
  status ? html`<span class="badge ${STATUS_CLASS[status] ?? 'muted'}">${status}</span>` : html`<span class="muted">never run</span>`;

export function errorPage(status: number, message: string, user?: SessionUser): Html {
  const title = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : status >= 500 ? 'Something went wrong' : 'Cannot do that';
  return layout({ title, ...(user && { user }) }, html`<h1>${title}</h1><p role="alert">${message}</p><p><a href="/connections">Back to the connections</a></p>`);
}
