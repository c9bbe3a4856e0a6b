/** Small printing helpers: stdout for results, stderr for warnings. Nothing here prints a secret. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function warn(line: string): void {
  process.stderr.write(`warning: ${line}\n`);
}

/** Left-aligned columns separated by two spaces; the header is upper-cased. */
/** A listing: `table` of the rows, or the `empty` sentence (what to do to have some) when there are none. */
export function listing<T>(rows: readonly T[], empty: string, headers: readonly string[], cells: (row: T) => readonly string[]): void {
  out(rows.length === 0 ? empty : table(headers, rows.map(cells)));
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [format(headers.map((h) => h.toUpperCase())), ...rows.map(format)].join('\n');
}

/** `2025-09-01 06:00:03` in UTC (the suffix says so), or `-`. */
export function formatTime(at: Date | string | null | undefined): string {
  if (!at) return '-';
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return '-';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** `created 3, updated 2, read 40` with a stable order: the most telling counts first. */
const ORDER = ['read', 'created', 'attached', 'updated', 'deactivated', 'reactivated', 'overwrote_manual_edit',
  'kept_manual_edit', 'conflict', 'quarantined', 'ambiguous', 'error', 'unchanged'];

export function sortedCounts(counts: Record<string, number>): [string, number][] {
  const rank = (k: string) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);
  return Object.entries(counts).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

export function formatCounts(counts: Record<string, number>): string {
  const entries = sortedCounts(counts).filter(([, n]) => n > 0);
  return entries.length === 0 ? 'no changes' : entries.map(([k, n]) => `${k.replace(/_/g, ' ')} ${n}`).join(', ');
}
