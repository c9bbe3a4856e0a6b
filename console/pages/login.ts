import { html } from 'hono/html';
import { layout, type Html } from './layout.js';

export function loginPage(options: { next: string; error?: string; email?: string }): Html {
  return layout({ title: 'Sign in' }, html`<form class="login" method="post" action="/login">
  <h1>Sign in</h1>
  ${options.error ? html`<p role="alert">${options.error}</p>` : ''}
  <input type="hidden" name="next" value="${options.next}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${options.email ?? ''}" autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>`);
}
