import { html } from 'hono/html';
import type { SessionUser } from '../../db/queries/console-auth.js';
import type { quarantineView } from '../data.js';
import { layout, when, type Html } from './layout.js';

type Quarantine = Awaited<ReturnType<typeof quarantineView>>;

export function quarantinePage(user: SessionUser, rows: Quarantine): Html {
  return layout({ title: 'Quarantine', user, current: '/quarantine' }, html`<h1>Quarantine</h1>
<p class="muted">Records that could not be synced. Each is tried again on every run until it is fixed in Lucca.</p>
${rows.length === 0 ? html`<p>Nothing is quarantined.</p>` : html`<table>
<caption>${rows.length} record(s)</caption>
<thead><tr><th scope="col">Connection</th><th scope="col">Dataset</th><th scope="col">Lucca id</th><th scope="col">Reason</th><th scope="col">What to fix in Lucca</th><th scope="col">Since</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td><a href="/connections/${encodeURIComponent(r.connection)}">${r.connection}</a></td><td>${r.dataset}</td><th scope="row">${r.sourceId}</th>
<td>${r.reasons.map((x, i) => html`${i ? '; ' : ''}${x.message}`)}</td><td>${r.fix}</td><td>${when(r.firstSeenAt)}</td></tr>`)}</tbody></table>`}`);
}
