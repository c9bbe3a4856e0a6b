/**
 * Lucca v3 expense claim (docs/lucca-api.md §3b) → Reflect `expenses` record. Lucca keeps
 * amounts on claim items, not on the claim, so `amount` stays null (Reflect allows it). Pure.
 */
import type { ReflectExpenseStatus } from './schemas.js';
import { dateOf, idOf, isObject, validated, type Mapped, type Reason } from './model.js';

/** Lucca `statusId` → Reflect status (Lucca's own statuses, snake_cased). */
export const EXPENSE_STATUS: Readonly<Record<number, ReflectExpenseStatus>> = {
  1: 'created',
  2: 'partially_approved',
  3: 'approved',
  4: 'controlled',
  5: 'approved_and_controlled',
  6: 'payment_initiated',
  7: 'paid',
  8: 'refused',
  9: 'cancelled',
};

/**
 * The claim's status id, in every form Lucca documents: `statusId: 3`, the sample's `statusId: {id: 3}`,
 * and the expanded `status: {id, name, code}` (by id, else by its name or code).
 */
export function expenseStatusId(raw: Record<string, unknown>): number | undefined {
  for (const v of [raw.statusId, raw.status]) {
    if (typeof v === 'number') return v;
    if (isObject(v) && typeof v.id === 'number') return v.id;
  }
  if (!isObject(raw.status)) return undefined;
  for (const label of [raw.status.code, raw.status.name]) {
    const id = typeof label === 'string' ? STATUS_BY_NAME.get(label.replace(/[\s_]/g, '').toLowerCase()) : undefined;
    if (id !== undefined) return id;
  }
  return undefined;
}

const STATUS_BY_NAME = new Map(Object.entries(EXPENSE_STATUS).map(([id, s]) => [s.replace(/_/g, ''), Number(id)]));

/** Whose expense claim it is (Lucca user id), or null. */
export function expenseOwnerOf(raw: Record<string, unknown>): string | null {
  return idOf(raw.ownerId) ?? (isObject(raw.owner) ? idOf(raw.owner.id) : null);
}

export function mapExpenseClaim(raw: unknown, position: number): Mapped {
  const id = isObject(raw) ? idOf(raw.id) : null;
  if (!isObject(raw) || id === null) {
    return { kind: 'invalid', id: `malformed-at-${position}`, reasons: [{ code: 'malformed_record', message: 'expense claim is not an object with an id' }] };
  }
  const reasons: Reason[] = [];
  const statusId = expenseStatusId(raw);
  const status = statusId === undefined ? undefined : EXPENSE_STATUS[statusId];
  if (status === undefined) reasons.push({ code: 'invalid_value', field: 'status', message: 'status is not a known Lucca expense-claim status' });
  const owner = expenseOwnerOf(raw);
  if (owner === null) reasons.push({ code: 'invalid_value', field: 'employee_external_id', message: 'the claim has no owner' });
  return validated('expenses', id, {
    external_id: id,
    employee_external_id: owner ?? '',
    name: typeof raw.name === 'string' ? raw.name : raw.name ?? '',
    declared_on: dateOf(raw.declaredOn),
    status: status ?? 'created',
    currency: typeof raw.currencyId === 'string' ? raw.currencyId.trim().toUpperCase() : raw.currencyId,
    amount: null,
  }, reasons);
}
