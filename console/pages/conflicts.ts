import { html } from 'hono/html';
import type { SessionUser } from '../../db/queries/console-auth.js';
import { shown } from '../../client/reports/labels.js';
import { canChange } from '../auth/session.js';
import type { conflictsView } from '../data.js';
import { csrfField, layout, when, type Html } from './layout.js';
import { targetLabel } from '../../activities/targets/registry.js';

type Conflicts = Awaited<ReturnType<typeof conflictsView>>;

export function conflictsPage(user: SessionUser, rows: Conflicts, flash?: string): Html {
  const editable = canChange(user);
  const table = html`<table>
<caption>${rows.length} open conflict(s)</caption>
<thead><tr><th scope="col">Connection</th><th scope="col">Lucca id</th><th scope="col">Field</th><th scope="col">Last synced</th><th scope="col">Lucca</th><th scope="col">Target</th><th scope="col">Opened</th>${editable ? html`<th scope="col">Keep</th>` : ''}</tr></thead>
<tbody>${rows.map((r) => html`<tr>
  <td><a href="/connections/${encodeURIComponent(r.connection)}">${r.connection}</a></td><td>${r.sourceId}</td><th scope="row">${r.field}</th>
  <td>${shown(r.base)}</td><td>${shown(r.lucca)}</td><td>${shown(r.targetValue)}</td><td>${when(r.openedAt)}</td>
  ${editable ? html`<td><fieldset><legend class="muted">Conflict ${r.id}</legend>
    <label><input type="radio" name="pick-${r.id}" value="lucca"> Lucca</label>
    <label><input type="radio" name="pick-${r.id}" value="target"> ${targetLabel(r.target)}</label>
    <button type="submit" class="secondary" name="one" value="${r.id}:lucca" aria-label="Keep Lucca's ${r.field} for ${r.sourceId} now">Keep Lucca now</button>
    <button type="submit" class="secondary" name="one" value="${r.id}:target" aria-label="Keep ${targetLabel(r.target)}'s ${r.field} for ${r.sourceId} now">Keep ${targetLabel(r.target)} now</button>
  </fieldset></td>` : ''}
</tr>`)}</tbody></table>`;
  return layout({ title: 'Conflicts', user, current: '/conflicts', script: 'conflicts.js' }, html`<h1>Conflicts</h1>
${flash ? html`<p class="flash" role="status">${flash}</p>` : ''}
<p class="muted">A field both sides changed, under the review policy. Keep Lucca: the next sync writes Lucca's value. Keep the target: its value stays while neither side changes it.</p>
${rows.length === 0 ? html`<p>No open conflict.</p>` : editable ? html`<form method="post" action="/conflicts/resolve">${csrfField(user)}
<div class="actions"><button type="button" class="secondary" data-pick-all="lucca" hidden>Pick Lucca for all</button><button type="button" class="secondary" data-pick-all="target" hidden>Pick the target for all</button><button type="submit">Resolve the picked conflicts</button></div>
${table}</form>` : table}`);
}
