import { html } from 'hono/html';
import { targetOf } from '../../activities/targets/registry.js';
import { formatCounts } from '../../client/output.js';
import { ACTION_ORDER, actionLabel, noteLabel, shown } from '../../client/reports/labels.js';
import type { ReportEntry } from '../../client/reports/load-report.js';
import type { SessionUser } from '../../db/queries/console-auth.js';
import type { RunView } from '../data.js';
import { layout, statusBadge, when, type Html } from './layout.js';

export interface ReportFilter {
  action?: string | undefined;
  q?: string | undefined;
  after?: number | undefined;
}

function lineRows(line: ReportEntry): Html {
  const span = Math.max(1, line.changes.length);
  const head = html`<td rowspan="${span}"><span class="badge info">${actionLabel(line.action)}</span>${line.also.length ? html`<div class="muted">also ${line.also.map(actionLabel).join(', ')}</div>` : ''}</td>
<td rowspan="${span}">${line.dataset}</td><td rowspan="${span}">${line.sourceId}</td><td rowspan="${span}">${line.targetId ?? '–'}</td>`;
  if (line.changes.length === 0) {
    return html`<tr>${head}<td colspan="2" class="muted">${line.error ?? line.reasons.map((r) => r.message).join('; ')}</td></tr>`;
  }
  return html`${line.changes.map((c, i) => html`<tr>${i === 0 ? head : ''}<td>${c.field}</td><td>${c.before === c.after
    ? html`${shown(c.after)}`
    : html`<span class="before">${shown(c.before)}</span> → <span class="after">${shown(c.after)}</span>`}${c.note ? html`<div class="muted">${noteLabel(c.note)}</div>` : ''}${c.source !== undefined ? html`<div class="muted">Lucca has ${shown(c.source)}</div>` : ''}</td></tr>`)}`;
}

export function runPage(user: SessionUser, run: RunView, page: { lines: ReportEntry[]; total: number; next: number | null }, filter: ReportFilter): Html {
  const query = (extra: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ action: filter.action, q: filter.q, ...extra })) if (v !== undefined && v !== '') params.set(k, String(v));
    return params.toString();
  };
  const running = run.status === 'running';
  return layout({ title: `Run of ${run.connection}`, user, current: '/connections', script: 'run.js' }, html`<h1>Run of <a href="/connections/${encodeURIComponent(run.connection)}">${run.connection}</a></h1>
<p>${statusBadge(run.status)} ${run.trigger}${run.dryRun ? ' · dry run' : ''} · started ${when(run.startedAt)}${run.finishedAt ? html` · finished ${when(run.finishedAt)}` : ''}</p>
${run.message ? html`<p class="banner">${run.message}</p>` : ''}
<section id="progress" class="progress" data-run="${run.id}" data-status="${run.status}" aria-live="polite">
  <h2>${running ? 'Progress' : 'Counts'}</h2>
  ${running ? html`<p>Phase <b data-field="phase">${run.phase}</b> · pages read <b data-field="pages">–</b> · <span data-field="live" class="muted">connecting…</span></p>` : ''}
  ${running && targetOf(run.target).datasets.length > 1 ? html`<p>Datasets: <span data-field="datasets">–</span></p>` : ''}
  <p>Counts: <span data-field="counts">${formatCounts(run.counts)}</span></p>
</section>
<h2>Report</h2>
${running ? html`<p class="muted">The report fills in as the run plans and writes; this page reloads when the run ends.</p>` : ''}
<form class="filters" method="get" action="/runs/${run.id}" role="search">
  <label>Action <select name="action"><option value="">All but unchanged</option>${ACTION_ORDER.map((a) => html`<option value="${a}"${filter.action === a ? html` selected` : ''}>${actionLabel(a)}</option>`)}</select></label>
  <label>Lucca id, target id or email <input type="search" name="q" value="${filter.q ?? ''}" maxlength="200"></label>
  <button type="submit">Show</button>
  <a href="/runs/${run.id}/report.csv?${query({})}">Export CSV</a>
</form>
<table>
<caption>${page.total} line(s)${filter.after !== undefined ? html` · from line ${filter.after + 1}` : ''}</caption>
<thead><tr><th scope="col">Action</th><th scope="col">Dataset</th><th scope="col">Lucca id</th><th scope="col">Target id</th><th scope="col">Field</th><th scope="col">Before → after</th></tr></thead>
<tbody>${page.lines.map(lineRows)}</tbody>
</table>
<nav class="pager" aria-label="Report pages">
  ${filter.after !== undefined ? html`<a href="/runs/${run.id}?${query({})}">First page</a>` : ''}
  ${page.next !== null ? html`<a href="/runs/${run.id}?${query({ after: page.next })}" rel="next">Next page</a>` : ''}
</nav>`);
}
