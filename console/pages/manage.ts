import { html } from 'hono/html';
import { TARGETS, type TargetName } from '../../activities/targets/registry.js';
import type { Policy } from '../../rules/three-way.js';
import type { SessionUser } from '../../db/queries/console-auth.js';
import { PolicySchema, SyncedFieldSchema } from '../../db/queries/connections.js';
import type { ConnectionView } from '../data.js';
import { csrfField, layout, type Html } from './layout.js';

const TARGET = Object.fromEntries(Object.values(TARGETS).map((t) => [t.name, t.label])) as Record<TargetName, string>;
/** How the console words each policy (the setup wizard and the policy page). */
export const POLICY_LABEL = { 'lucca-wins': 'Lucca wins', 'target-wins': 'the target wins', review: 'review (open a conflict)' } as const satisfies Record<Policy, string>;

/** Relink: a new Lucca or target key, tested before it replaces the old one; the connection keeps its id, runs, links, cursors and conflicts. */
export function relinkPage(user: SessionUser, c: ConnectionView, error?: string): Html {
  return layout({ title: `Relink ${c.name}`, user, current: '/connections' }, html`<h1>Relink <a href="/connections/${encodeURIComponent(c.name)}">${c.name}</a></h1>
<p>Paste a new key when the old one was rotated or revoked. Each new key is tested first and saved only if it works; nothing else changes:
the connection keeps its history, its links to ${TARGET[c.target]} profiles, its read cursors and its open conflicts.</p>
${error ? html`<p role="alert">${error}</p>` : ''}
<form class="form" method="post" action="/connections/${encodeURIComponent(c.name)}/relink">${csrfField(user)}
  <label for="luccaKey">New Lucca API key <span class="muted">(now <code>${c.luccaKey}</code> for ${c.luccaUrl})</span></label>
  <input id="luccaKey" name="luccaKey" type="password" autocomplete="off" maxlength="4096">
  <label for="targetKey">New ${TARGET[c.target]} API key <span class="muted">(now <code>${c.targetKey}</code>)</span></label>
  <input id="targetKey" name="targetKey" type="password" autocomplete="off" maxlength="4096">
  <label class="inline"><input type="checkbox" name="confirmLessAccess" value="yes"> The new Lucca key may see less than the current one (intended)</label>
  <p class="muted">Leave a field blank to keep that key.</p>
  <button type="submit">Test and save</button>
</form>`);
}

/** The connection's conflict policies and deactivation guard. */
export function policyPage(user: SessionUser, c: ConnectionView, error?: string): Html {
  const select = (name: string, options: ReadonlyArray<readonly [string, string]>, current: string | undefined) =>
    html`<select id="${name}" name="${name}">${options.map(([v, l]) => html`<option value="${v}"${v === current ? html` selected` : ''}>${l}</option>`)}</select>`;
  return layout({ title: `Policy of ${c.name}`, user, current: '/connections' }, html`<h1>Policy of <a href="/connections/${encodeURIComponent(c.name)}">${c.name}</a></h1>
${error ? html`<p role="alert">${error}</p>` : ''}
<form class="form" method="post" action="/connections/${encodeURIComponent(c.name)}/policy">${csrfField(user)}
  <label for="defaultPolicy">When Lucca and ${TARGET[c.target]} both changed a field</label>
  ${select('defaultPolicy', PolicySchema.options.map((p) => [p, POLICY_LABEL[p]] as const), c.defaultPolicy)}
  <fieldset><legend>Per field</legend><div class="grid">
  ${SyncedFieldSchema.options.map((f) => html`<label>${f} ${select(`fp-${f}`, [['', 'as above'], ...PolicySchema.options.map((p) => [p, POLICY_LABEL[p]] as const)], c.fieldPolicies[f] ?? '')}</label>`)}
  </div></fieldset>
  <label for="guard">Stop before deactivating more than (% of linked profiles)</label>
  <input id="guard" name="guard" type="number" min="0" max="100" step="1" required value="${c.deactivationGuardPct}">
  <button type="submit">Save the policy</button>
</form>`);
}
