import { formatCounts, formatTime } from '../output.js';
import { actionCounts, visibleLines, type ReportEntry, type RunReport } from './load-report.js';
import { actionLabel, AMBIGUOUS_REASON, durationText, noteLabel, shown } from './labels.js';

export interface RenderOptions {
  includeUnchanged?: boolean;
}

function entryLines(line: ReportEntry): string[] {
  const also = line.also.length ? ` (also ${line.also.map(actionLabel).join(', ')})` : '';
  const outcome = line.outcome === 'applied' || line.outcome === 'reported' ? '' : ` [${line.outcome}]`;
  const out = [`${actionLabel(line.action).padEnd(24)} Lucca ${line.sourceId}  HappyPal ${line.targetId ?? '-'}${also}${outcome}`];
  for (const change of line.changes) {
    const notes = [change.note && noteLabel(change.note), change.source !== undefined && `Lucca has ${shown(change.source)}`].filter(Boolean);
    const note = notes.length ? `  (${notes.join('; ')})` : '';
    out.push(`    ${change.field}: ${shown(change.before)} → ${shown(change.after)}${note}`);
  }
  for (const reason of line.reasons) out.push(`    reason: ${reason.message}${reason.field ? ` [${reason.field}]` : ''} (${reason.code})`);
  if (line.action === 'ambiguous' && line.reasons.length === 0) out.push(`    reason: ${AMBIGUOUS_REASON}`);
  if (line.error) out.push(`    error: ${line.error}`);
  return out;
}

/** The plain-text report: a header (connection, status, times, counts), then one block per affected record. */
export function renderText(report: RunReport, options: RenderOptions = {}): string {
  const { run } = report;
  const lines = visibleLines(report, !!options.includeUnchanged);
  const counts = Object.keys(run.counts).length ? run.counts : actionCounts(report.lines);
  const out = [
    `Sync report: ${run.connection} (${run.target})`,
    `Run ${run.id}: ${run.status}${run.dryRun ? ', dry run (nothing written)' : ''}, ${run.trigger} trigger`,
    `Started ${formatTime(run.startedAt)}, finished ${formatTime(run.finishedAt)} (${durationText(run.startedAt, run.finishedAt)})`,
    `Counts: ${formatCounts(counts)}`,
  ];
  if (run.message) out.push(`Message: ${run.message}`);
  out.push('');
  if (lines.length === 0) out.push('No record was affected.');
  for (const line of lines) out.push(...entryLines(line));
  const hidden = report.lines.length - lines.length;
  if (hidden > 0) out.push('', `${hidden} unchanged record(s) hidden (--all shows them).`);
  return `${out.join('\n')}\n`;
}
