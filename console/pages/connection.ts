import { html } from 'hono/html';
import { formatCounts } from '../../client/output.js';
import type { SessionUser } from '../../db/queries/console-auth.js';
import { canChange } from '../auth/session.js';
import type { ConnectionView } from '../data.js';
import { csrfField, layout, statusBadge, when, type Html } from './layout.js';

type Run = ConnectionView['runs'][number];
const recordsOf = (counts: Record<string, number>) =>
  counts.read ?? Object.entries(counts).reduce((sum, [k, n]) => (k === 'unchanged' ? sum : sum + n), 0);

/** Records (bars) and duration (line) of the last finished runs, oldest first; the table below holds the same numbers. */
export function runsChart(runs: readonly Run[]): Html {
  const done = runs.filter((r) => r.durationSeconds !== null).slice(0, 20).reverse();
  if (done.length === 0) return html`<p class="muted">No finished run yet.</p>`;
  const w = 600, h = 160, pad = 30, step = (w - 2 * pad) / done.length;
  const maxRec = Math.max(1, ...done.map((r) => recordsOf(r.counts)));
  const maxDur = Math.max(1, ...done.map((r) => r.durationSeconds ?? 0));
  const y = (v: number, max: number) => h - pad - (v / max) * (h - 2 * pad);
  const points = done.map((r, i) => `${(pad + step * i + step / 2).toFixed(1)},${y(r.durationSeconds ?? 0, maxDur).toFixed(1)}`);
  const label = `Last ${done.length} runs: records from ${Math.min(...done.map((r) => recordsOf(r.counts)))} to ${maxRec}, durations up to ${Math.round(maxDur)} s.`;
  return html`<svg class="chart" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${label}">
<title>${label}</title>
${done.map((r, i) => html`<rect class="rec" x="${(pad + step * i + 2).toFixed(1)}" y="${y(recordsOf(r.counts), maxRec).toFixed(1)}" width="${Math.max(2, step - 4).toFixed(1)}" height="${(h - pad - y(recordsOf(r.counts), maxRec)).toFixed(1)}"><title>${r.startedAt.slice(0, 16)}: ${recordsOf(r.counts)} records, ${Math.round(r.durationSeconds ?? 0)} s</title></rect>`)}
<polyline class="dur" points="${points.join(' ')}"/>
<text x="${pad}" y="14">bars: records (max ${maxRec}) · line: duration (max ${Math.round(maxDur)} s)</text>
</svg>`;
}

export function connectionPage(user: SessionUser, c: ConnectionView, flash?: string): Html {
  const action = (name: string, label: string, extra?: Html) => html`<form method="post" action="/connections/${encodeURIComponent(c.name)}/${name}">${csrfField(user)}${extra ?? ''}<button type="submit">${label}</button></form>`;
  const policies = Object.entries(c.fieldPolicies);
  return layout({ title: c.name, user, current: '/connections' }, html`<h1>${c.name}</h1>
${flash ? html`<p class="flash" role="status">${flash}</p>` : ''}
<h2>Settings</h2>
<dl class="settings">
  <dt>Target</dt><dd>${c.target} · ${c.targetUrl} · key <code>${c.targetKey}</code></dd>
  <dt>Lucca</dt><dd>${c.luccaUrl} · key <code>${c.luccaKey}</code></dd>
  <dt>Company</dt><dd>${c.company ?? '–'}</dd>
  <dt>Active</dt><dd>${c.active ? 'yes' : 'no (an operator activates it)'}</dd>
  <dt>Policy</dt><dd>${c.defaultPolicy}${policies.length ? html` (fields: ${policies.map(([f, p]) => `${f}=${p}`).join(', ')})` : ''}</dd>
  <dt>Guard</dt><dd>stop before deactivating more than ${c.deactivationGuardPct} % of linked profiles</dd>
  <dt>Scope</dt><dd>${c.config.scope}</dd>
  <dt>Mapped fields</dt><dd>${c.config.mappings.length ? html`<ul class="mappings">${c.config.mappings.map((m) => html`<li>${m}</li>`)}</ul>` : 'none'}</dd>
</dl>
<h2>Schedule</h2>
<dl class="settings">
  <dt>State</dt><dd>${c.schedule.state === 'unknown' ? 'unknown (Temporal is not reachable)' : c.schedule.state === 'none' ? 'no schedule' : c.schedule.state}</dd>
  <dt>Cadence</dt><dd>${c.schedule.cadence ?? '–'}</dd>
  ${c.schedule.note ? html`<dt>Note</dt><dd>${c.schedule.note}</dd>` : ''}
  <dt>Next runs</dt><dd>${c.schedule.nextRuns.length ? c.schedule.nextRuns.map((t, i) => html`${i ? ', ' : ''}${when(t)}`) : '–'}</dd>
</dl>
${canChange(user) ? html`<h2>Actions</h2><div class="actions">
  ${c.active ? html`${action('sync', 'Sync now')}
  ${action('full', 'Full resync')}
  ${c.schedule.state === 'paused' ? action('resume', 'Resume') : action('pause', 'Pause', html`<label class="muted">Reason <input name="reason" maxlength="200"></label> `)}` : ''}
  ${!c.active && user.role === 'operator' ? action('activate', 'Activate') : ''}
  <a class="button secondary" href="/connections/${encodeURIComponent(c.name)}/relink">Relink (new key)</a>
  <a class="button secondary" href="/connections/${encodeURIComponent(c.name)}/policy">Change policy</a>
</div>
${!c.active ? html`<p class="muted">Inactive: it has no schedule and does not sync${user.role === 'operator' ? '' : '; an operator activates it'}.</p>` : ''}` : ''}
<h2>Recent runs</h2>
${runsChart(c.runs)}
${c.runs.length ? html`<table><caption>Last ${c.runs.length} runs, newest first</caption>
<thead><tr><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col" class="num">Duration</th><th scope="col">Counts</th></tr></thead>
<tbody>${c.runs.map((r) => html`<tr><td><a href="/runs/${r.id}">${when(r.startedAt)}</a></td><td>${statusBadge(r.status)}${r.dryRun ? ' (dry run)' : ''}</td><td>${r.trigger}</td><td class="num">${r.durationSeconds === null ? '–' : `${Math.round(r.durationSeconds)} s`}</td><td>${formatCounts(r.counts)}</td></tr>`)}</tbody></table>` : html`<p class="muted">No runs yet.</p>`}
${c.datasets.length ? html`<h2>Datasets</h2><table><caption>As the last finished run left them</caption><thead><tr><th scope="col">Dataset</th><th scope="col">Status</th><th scope="col">Last run</th><th scope="col">Read from</th><th scope="col">Last full read</th></tr></thead>
<tbody>${c.datasets.map((d) => html`<tr><th scope="row">${d.dataset}</th><td>${d.status === 'not permitted' ? html`<span class="badge warn">not permitted</span>` : statusBadge(d.status)}</td><td>${formatCounts(d.counts)}</td><td>${when(d.lastSyncedAt)}</td><td>${when(d.lastFullReadAt)}</td></tr>`)}</tbody></table>` : ''}
<h2>Audit</h2>
${c.audit.length ? html`<ul class="audit">${c.audit.map((a) => html`<li>${when(a.at)} ${a.actor} ${a.action}${a.detail ? `: ${a.detail}` : ''}</li>`)}</ul>` : html`<p class="muted">No audit entries.</p>`}`);
}
