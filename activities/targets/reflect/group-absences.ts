/**
 * Lucca half-day leave rows → Reflect absences (docs/lucca-api.md §3a, §5 pitfall 4). Lucca sends
 * one row per half-day; Reflect wants one absence per period and type. Rows are grouped by
 * `leavePeriodId` and leave account (a Lucca period is one request from its first to its last
 * half-day; a period whose half-days are on two accounts becomes two absences). An absence runs
 * from its first active half-day to its last: `start_half` is `am` when it starts in the morning,
 * `end_half` is `pm` when it ends in the evening, and `days` = active half-days / 2 (weekends and
 * days off have no row, so they are not counted). A group with no active row was cancelled in
 * Lucca (`isActive` false for the whole period): it is deleted from Reflect. Pure.
 */
import { addDays, dateOf, idOf, isObject, validated, type Mapped } from './model.js';

export interface LeaveRow {
  id: string;
  date: string;
  isAm: boolean;
  leavePeriodId: string;
  leaveAccountId: string;
  accountName: string | null;
  ownerId: string;
  isActive: boolean;
}

/** The rows we read (LEAVE_FIELDS) → a typed row, or null when a field we need is missing. */
export function parseLeaveRow(raw: unknown): LeaveRow | null {
  if (!isObject(raw)) return null;
  const period = isObject(raw.leavePeriod) ? raw.leavePeriod : {};
  const account = isObject(raw.leaveAccount) ? raw.leaveAccount : {};
  const id = typeof raw.id === 'string' || typeof raw.id === 'number' ? String(raw.id) : null;
  const date = dateOf(raw.date);
  const leavePeriodId = idOf(raw.leavePeriodId) ?? idOf(period.id);
  const leaveAccountId = idOf(raw.leaveAccountId) ?? idOf(account.id);
  const ownerId = idOf(period.ownerId) ?? (isObject(period.owner) ? idOf(period.owner.id) : null);
  if (!id || !date || typeof raw.isAm !== 'boolean' || !leavePeriodId || !leaveAccountId || !ownerId || typeof raw.isActive !== 'boolean') return null;
  const accountName = typeof account.name === 'string' && account.name.trim() !== '' ? account.name.trim() : null;
  return { id, date, isAm: raw.isAm, leavePeriodId, leaveAccountId, accountName, ownerId, isActive: raw.isActive };
}

export const absenceId = (leavePeriodId: string, leaveAccountId: string) => `${leavePeriodId}-${leaveAccountId}`;

/** A read window: rows dated in [from, to]; periods within `edgeDays` of either end may be cut by it. */
export interface LeaveWindow {
  from: string;
  to: string;
  edgeDays: number;
}

/** The part of a window whose periods are read whole: absences inside it that Lucca no longer returns were deleted there. */
export function windowInterior(w: LeaveWindow): { from: string; to: string } {
  return { from: addDays(w.from, w.edgeDays), to: addDays(w.to, -w.edgeDays) };
}

const halfOrder = (r: LeaveRow) => `${r.date}${r.isAm ? 'a' : 'p'}`;

/**
 * Groups rows into absences. A group with a half-day outside the window's interior may continue
 * beyond the window, so it is `skipped` (left as it is in Reflect) rather than written cut short;
 * the wider full read, or a later run, writes it whole.
 */
export function groupAbsences(rows: readonly LeaveRow[], window: LeaveWindow): Mapped[] {
  const groups = new Map<string, LeaveRow[]>();
  for (const row of rows) {
    const key = absenceId(row.leavePeriodId, row.leaveAccountId);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  const inside = windowInterior(window);
  const out: Mapped[] = [];
  for (const [id, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (group.some((r) => r.date < inside.from || r.date > inside.to)) {
      out.push({ kind: 'skipped', id });
      continue;
    }
    const active = group.filter((r) => r.isActive).sort((a, b) => (halfOrder(a) < halfOrder(b) ? -1 : 1));
    const first = active[0];
    const last = active[active.length - 1];
    if (!first || !last) {
      out.push({ kind: 'gone', id });
      continue;
    }
    out.push(validated('absences', id, {
      external_id: id,
      employee_external_id: first.ownerId,
      type: first.accountName ?? `Leave account ${first.leaveAccountId}`,
      starts_on: first.date,
      ends_on: last.date,
      start_half: first.isAm ? 'am' : 'pm',
      end_half: last.isAm ? 'am' : 'pm',
      days: new Set(active.map(halfOrder)).size / 2,
    }));
  }
  return out;
}
