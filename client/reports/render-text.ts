import { formatCounts, formatTime } from '../output.js';
import { actionCounts, visibleLines, type ReportEntry, type RunReport } from './load-report.js';
import { ACTION_ORDER, actionLabel, AMBIGUOUS_REASON, durationText, noteLabel, shown } from './labels.js';
import { targetLabel } from '../../activities/targets/registry.js';

export interface RenderOptions {
  includeUnchanged?: boolean;
  /** A digest: at most this many records per action (errors and conflicts first), then a count of the rest. */
  maxPerAction?: number;
}

function entryLines(line: ReportEntry, target = 'HappyPal'): string[] {
  const also = line.also.length ? ` (also ${line.also.map(actionLabel).join(', ')})` : '';
  const outcome = line.outcome === 'applied' || line.outcome === 'reported' ? '' : ` [${line.outcome}]`;
  const out = [`${actionLabel(line.action).padEnd(24)} Lucca ${line.sourceId}  ${target} ${line.targetId ?? '-'}${also}${outcome}`];
  for (const change of line.changes) {
    const notes = [change.note && noteLabel(change.note, change.field), change.source !== undefined && `Lucca has ${shown(change.source)}`].filter(Boolean);
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
  const target = targetLabel(run.target);
  const datasets = [...new Set(lines.map((l) => l.dataset))];
  for (const dataset of datasets) {
    // One section per dataset when a run has several (Reflect: employees, compensation, absences, expenses).
    const ofDataset = lines.filter((l) => l.dataset === dataset);
    if (datasets.length > 1) out.push(`== ${dataset} (${ofDataset.length}) ==`);
    if (options.maxPerAction === undefined) for (const line of ofDataset) out.push(...entryLines(line, target));
    else out.push(...digest(ofDataset, options.maxPerAction, target));
  }
  const hidden = report.lines.length - lines.length;
  if (hidden > 0) out.push('', `${hidden} unchanged record(s) hidden (--all shows them).`);
  return `${out.join('\n')}\n`;
}

function digest(lines: readonly ReportEntry[], max: number, target: string): string[] {
  const out: string[] = [];
  const rank = (action: string) => (ACTION_ORDER.includes(action) ? ACTION_ORDER.indexOf(action) : ACTION_ORDER.length);
  const actions = [...new Set(lines.map((l) => l.action))].sort((a, b) => rank(a) - rank(b));
  for (const action of actions) {
    const ofAction = lines.filter((l) => l.action === action);
    for (const line of ofAction.slice(0, max)) out.push(...entryLines(line, target));
    if (ofAction.length > max) out.push(`    … and ${ofAction.length - max} more ${actionLabel(action)}`);
  }
  return out;
}
