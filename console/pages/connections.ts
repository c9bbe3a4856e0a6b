import { html } from 'hono/html';
import type { SessionUser } from '../../db/queries/console-auth.js';
import { formatCounts } from '../../client/output.js';
import type { ConnectionsView } from '../data.js';
import { HEALTH_STATES } from '../seams.js';
import { layout, statusBadge, when, type Html } from './layout.js';
import { TARGETS } from '../../activities/targets/registry.js';

export function connectionsPage(user: SessionUser, view: ConnectionsView, filter: { target?: string; q?: string; health?: string }): Html {
  const option = (value: string, label: string, current?: string) =>
    html`<option value="${value}"${current === value ? html` selected` : ''}>${label}</option>`;
  const rows = view.connections.map((c) => html`<tr>
    <th scope="row"><a href="/connections/${encodeURIComponent(c.name)}">${c.name}</a>${c.active ? '' : html` <span class="badge muted">inactive</span>`}</th>
    <td>${c.target}</td><td>${c.company ?? html`<span class="muted">–</span>`}</td>
    <td>${c.health ?? html`<span class="muted">unknown</span>`}</td>
    <td>${c.lastRun ? html`<a href="/runs/${c.lastRun.id}">${statusBadge(c.lastRun.status)}</a> ${when(c.lastRun.startedAt)}<div class="muted">${formatCounts(c.lastRun.counts)}</div>` : statusBadge(null)}</td>
    <td>${c.schedule === 'paused' ? html`<span class="badge warn">paused</span>` : c.schedule === 'none' ? html`<span class="muted">no schedule</span>` : c.schedule === 'unknown' ? html`<span class="muted">unknown</span>` : when(c.nextRun)}</td>
    <td class="num">${c.openConflicts ? html`<a href="/conflicts?connection=${encodeURIComponent(c.name)}">${c.openConflicts}</a>` : '0'}</td>
    <td class="num">${c.quarantined ? html`<a href="/quarantine?connection=${encodeURIComponent(c.name)}">${c.quarantined}</a>` : '0'}</td>
  </tr>`);
  return layout({ title: 'Connections', user, current: '/connections' }, html`<h1>Connections</h1>
${view.temporal === 'unavailable' ? html`<p class="banner">Temporal is not reachable: next runs and schedule states are not shown.</p>` : ''}
<form class="filters" method="get" action="/connections" role="search">
  <label>Search by name <input type="search" name="q" value="${filter.q ?? ''}" maxlength="100"></label>
  <label>Target <select name="target">${option('', 'All targets', filter.target ?? '')}${Object.values(TARGETS).map((t) => option(t.name, t.label, filter.target))}</select></label>
  <label>Health <select name="health">${option('', 'Any health', filter.health ?? '')}${HEALTH_STATES.map((h) => option(h, h, filter.health))}</select></label>
  <button type="submit">Filter</button>
</form>
<table>
<caption>${view.connections.length} connection(s)</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Target</th><th scope="col">Company</th><th scope="col">Health</th><th scope="col">Last run</th><th scope="col">Next run</th><th scope="col" class="num">Open conflicts</th><th scope="col" class="num">Quarantined</th></tr></thead>
<tbody>${rows}</tbody>
</table>`);
}
