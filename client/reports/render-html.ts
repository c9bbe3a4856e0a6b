import { formatCounts, formatTime, sortedCounts } from '../output.js';
import { actionCounts, visibleLines, type ReportEntry, type RunReport } from './load-report.js';
import { ACTION_ORDER, actionLabel, AMBIGUOUS_REASON, durationText, noteLabel, shown } from './labels.js';
import type { RenderOptions } from './render-text.js';

/** Escapes a value for HTML text and attribute positions. Every value of the report goes through it. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
const e = escapeHtml;

const COLOR: Record<string, string> = {
  created: '#2e7d32', attached: '#66bb6a', updated: '#1565c0', deactivated: '#6d4c41', reactivated: '#8d6e63',
  overwrote_manual_edit: '#ef6c00', kept_manual_edit: '#f9a825', conflict: '#c2185b', quarantined: '#7b1fa2',
  ambiguous: '#5e35b1', error: '#c62828', unchanged: '#b0bec5',
};
const colorOf = (action: string) => COLOR[action] ?? '#78909c';

const CSS = `body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1f2933}
main{max-width:1100px;margin:0 auto;padding:24px}h1{margin:0 0 4px;font-size:24px}h2{font-size:18px;margin:28px 0 10px}
.meta{color:#52606d;margin:0}.badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:18px}.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:110px;box-shadow:0 1px 2px #0002}
.card b{display:block;font-size:24px}.card span{color:#52606d;font-size:13px}
.bar{display:flex;height:26px;border-radius:6px;overflow:hidden;background:#e4e7eb}.bar div{height:100%}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:14px;font-size:13px}.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 1px 2px #0002}
th,td{padding:7px 10px;text-align:left;border-bottom:1px solid #e4e7eb;vertical-align:top;font-size:14px}th{background:#eef1f4}
.before{color:#9b1c1c;text-decoration:line-through}.after{color:#176639}.note{color:#52606d;font-size:12px}
.attention li{margin-bottom:6px}.msg{background:#fff4e5;border-left:4px solid #ef6c00;padding:8px 12px}footer{color:#9aa5b1;font-size:12px;margin-top:30px}`;

const STATUS_COLOR: Record<string, string> = { completed: '#2e7d32', running: '#1565c0', failed: '#c62828', blocked: '#ef6c00', cancelled: '#616e7c' };

function bar(counts: Record<string, number>): string {
  const entries = ACTION_ORDER.map((a) => [a, counts[a] ?? 0] as const).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return '<p>No record was affected.</p>';
  const segments = entries
    .map(([a, n]) => `<div title="${e(actionLabel(a))}: ${n}" style="width:${((n / total) * 100).toFixed(2)}%;background:${colorOf(a)}"></div>`)
    .join('');
  const legend = entries.map(([a, n]) => `<li><i style="background:${colorOf(a)}"></i>${e(actionLabel(a))} ${n}</li>`).join('');
  return `<div class="bar" role="img" aria-label="${e(formatCounts(counts))}">${segments}</div><ul class="legend">${legend}</ul>`;
}

function valueChange(before: string | null, after: string | null): string {
  if (before === after) return `<span>${e(shown(after))}</span> <span class="note">(unchanged on HappyPal)</span>`;
  return `<span class="before">${e(shown(before))}</span> → <span class="after">${e(shown(after))}</span>`;
}

function changeRows(line: ReportEntry): string {
  const head = `<td rowspan="${Math.max(1, line.changes.length)}"><span class="badge" style="background:${colorOf(line.action)}">${e(actionLabel(line.action))}</span>` +
    `${line.also.length ? `<div class="note">also ${e(line.also.map(actionLabel).join(', '))}</div>` : ''}</td>` +
    `<td rowspan="${Math.max(1, line.changes.length)}">${e(line.sourceId)}</td><td rowspan="${Math.max(1, line.changes.length)}">${e(line.targetId ?? '–')}</td>`;
  if (line.changes.length === 0) return `<tr>${head}<td colspan="2" class="note">${e(line.error ?? (line.reasons.map((r) => r.message).join('; ') || (line.action === 'ambiguous' ? AMBIGUOUS_REASON : '')))}</td></tr>`;
  return line.changes
    .map((c, i) => `<tr>${i === 0 ? head : ''}<td>${e(c.field)}</td><td>${valueChange(c.before, c.after)}${c.note ? `<div class="note">${e(noteLabel(c.note, c.field))}</div>` : ''}` +
      `${c.source !== undefined ? `<div class="note">Lucca has ${e(shown(c.source))}</div>` : ''}</td></tr>`)
    .join('');
}

function attention(lines: readonly ReportEntry[]): string {
  const items = lines.flatMap((l) => {
    const who = `Lucca ${e(l.sourceId)}${l.targetId ? ` / HappyPal ${e(l.targetId)}` : ''}`;
    if (l.action === 'quarantined') return [`<li><b>Quarantined</b> ${who}: ${e(l.reasons.map((r) => r.message).join('; '))}</li>`];
    if (l.action === 'ambiguous') return [`<li><b>Ambiguous match</b> ${who}: ${e(l.reasons.map((r) => r.message).join('; ') || AMBIGUOUS_REASON)}</li>`];
    if (l.action === 'error' || l.error) return [`<li><b>Error</b> ${who}: ${e(l.error ?? 'the write failed')}</li>`];
    if (l.action === 'conflict') return [`<li><b>Conflict</b> ${who}: ${e(l.changes.filter((c) => c.note === 'conflict').map((c) => c.field).join(', '))} (to resolve: lucca-sync conflicts list)</li>`];
    return [];
  });
  return items.length ? `<h2>Needs attention</h2><ul class="attention">${items.join('')}</ul>` : '';
}

/** A self-contained page (inline CSS, no script, no external asset) an HR admin can open or mail. */
export function renderHtml(report: RunReport, options: RenderOptions = {}): string {
  const { run } = report;
  const lines = visibleLines(report, !!options.includeUnchanged);
  const counts = Object.keys(run.counts).length ? run.counts : actionCounts(report.lines);
  const cards = sortedCounts(counts).map(([k, n]) => `<div class="card"><b>${n}</b><span>${e(k === 'read' ? 'read from Lucca' : actionLabel(k))}</span></div>`).join('');
  const table = lines.length
    ? `<h2>Changes</h2><table><thead><tr><th>Action</th><th>Lucca id</th><th>HappyPal id</th><th>Field</th><th>Before → after</th></tr></thead><tbody>${lines.map(changeRows).join('')}</tbody></table>`
    : '';
  const hidden = report.lines.length - lines.length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sync report · ${e(run.connection)} · ${e(formatTime(run.startedAt))}</title><style>${CSS}</style></head>
<body><main>
<h1>Sync report: ${e(run.connection)}</h1>
<p class="meta"><span class="badge" style="background:${STATUS_COLOR[run.status] ?? '#616e7c'}">${e(run.status)}</span> ${e(run.target)} · ${e(run.trigger)} trigger${run.dryRun ? ' · dry run (nothing written)' : ''}</p>
<p class="meta">Started ${e(formatTime(run.startedAt))} · finished ${e(formatTime(run.finishedAt))} (${e(durationText(run.startedAt, run.finishedAt))}) · run ${e(run.id)}</p>
${run.message ? `<p class="msg">${e(run.message)}</p>` : ''}
<section class="cards">${cards}</section>
<h2>What changed</h2>${bar(actionCounts(lines))}
${attention(lines)}
${table}
${hidden > 0 ? `<p class="note">${hidden} unchanged record(s) not shown.</p>` : ''}
<footer>Generated by lucca-sync · contains personal data: share only with people allowed to see it.</footer>
</main></body></html>
`;
}
