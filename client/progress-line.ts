import type { Phase, SyncProgress } from '../workflows/contracts.js';
import { formatCounts } from './output.js';

const PHASES: readonly Phase[] = ['starting', 'fetch-source', 'fetch-target', 'plan', 'write', 'report', 'done'];
const LABEL: Record<Phase, string> = {
  starting: 'starting', 'fetch-source': 'reading Lucca', 'fetch-target': 'reading the target', plan: 'planning',
  write: 'writing', report: 'reporting', done: 'done',
};

/** Share of the run behind us, by phase (the phases have no common unit of work). */
export function phaseFraction(phase: Phase): number {
  const index = PHASES.indexOf(phase);
  return index < 0 ? 0 : index / (PHASES.length - 1);
}

export function textBar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** One progress line: `[#####---] reading Lucca · 3 page(s) · read 120, created 4` (the bar only on a TTY). */
export function renderProgress(progress: SyncProgress, options: { tty: boolean; width?: number }): string {
  const parts = [LABEL[progress.phase] ?? progress.phase, `${progress.pagesDone} page(s)`];
  const counts = formatCounts(progress.counts);
  if (counts !== 'no changes') parts.push(counts);
  const text = parts.join(' · ');
  return options.tty ? `${textBar(phaseFraction(progress.phase), options.width)} ${text}` : `progress: ${text}`;
}
