import { FIELD_PERMISSION } from '../../rules/visibility.js';

/** Words a person reads for the report's codes (shared by the text and HTML renderers). */
export const ACTION_LABEL: Record<string, string> = {
  created: 'created', attached: 'attached', updated: 'updated', deactivated: 'deactivated', reactivated: 'reactivated',
  kept_manual_edit: 'manual edit kept', overwrote_manual_edit: 'manual edit overwritten', conflict: 'conflict',
  quarantined: 'quarantined', ambiguous: 'ambiguous match', error: 'error', unchanged: 'unchanged',
};

export const NOTE_LABEL: Record<string, string> = {
  manual_edit_kept: 'manual edit on the target kept',
  manual_edit_overwritten: 'manual edit on the target overwritten',
  both_changed_kept: 'both sides changed; target value kept',
  both_changed_overwritten: 'both sides changed; Lucca value written',
  conflict: 'conflict left open for review',
  not_visible: 'not visible to the Lucca key: nothing written, the target keeps its value',
};

/** Display order of actions: what needs a person first. */
export const ACTION_ORDER = ['error', 'quarantined', 'ambiguous', 'conflict', 'created', 'attached', 'updated',
  'overwrote_manual_edit', 'kept_manual_edit', 'deactivated', 'reactivated', 'unchanged'];

export const actionLabel = (action: string) => ACTION_LABEL[action] ?? action.replace(/_/g, ' ');
/** A field's note; a value the key cannot see also names the Lucca permission that shows it. */
export function noteLabel(note: string, field?: string): string {
  const label = NOTE_LABEL[note] ?? note.replace(/_/g, ' ');
  const permission = note === 'not_visible' && field !== undefined ? FIELD_PERMISSION[field as keyof typeof FIELD_PERMISSION] : undefined;
  return permission ? `${label}; the key's role needs ${permission}` : label;
}
export const shown = (value: string | null) => (value === null || value === '' ? '(empty)' : value);

export const AMBIGUOUS_REASON = 'several HappyPal profiles match this employee, or one profile is claimed by two employees: nothing was written';

export function durationText(startedAt: string, finishedAt: string | null): string {
  if (!finishedAt) return 'still running';
  const seconds = Math.max(0, Math.round((Date.parse(finishedAt) - Date.parse(startedAt)) / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}
