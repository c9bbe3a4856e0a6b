/**
 * Lucca v3 user → Reflect `employees` record. The people rules are the HappyPal connector's own
 * (rules/map-lucca-user.ts: names, email normalisation, real dates, birth date not in the
 * future, contract end after start), so one bad record is quarantined the same way by both
 * connectors; Reflect's analytics fields (department, manager, employee number) are added here. Pure.
 */
import { mapLuccaUser } from '../../../rules/map-lucca-user.js';
import { normaliseName, type SyncedField } from '../../../rules/person.js';
import { idOf, isObject, validated, type Mapped } from './model.js';

/** Our field → the Reflect employees field it is written to (the fields a key may hide). */
export const REFLECT_EMPLOYEE_FIELD: Partial<Record<SyncedField, string>> = {
  birthDate: 'birth_date', contractStart: 'contract_start', contractEnd: 'contract_end',
};

/** `hidden`: fields hidden run-wide (visibility.ts hiddenFields), unknown for every record. */
export function mapEmployee(raw: unknown, today: string, position: number, hidden: readonly SyncedField[] = []): Mapped {
  const id = isObject(raw) ? idOf(raw.id) : null;
  const mapped = mapLuccaUser(raw, today);
  if (!mapped.ok) return { kind: 'invalid', id: mapped.sourceId ?? id ?? `malformed-at-${position}`, reasons: mapped.reasons };
  const u = raw as Record<string, unknown>;
  const department = isObject(u.department) && typeof u.department.name === 'string' && u.department.name.trim() !== ''
    ? normaliseName(u.department.name)
    : null;
  const manager = idOf(u.managerId);
  const employeeNumber = typeof u.employeeNumber === 'string' && u.employeeNumber.trim() !== '' ? u.employeeNumber.trim() : null;
  const p = mapped.person;
  const unknown = [...new Set([...mapped.unknown, ...hidden])].map((f) => REFLECT_EMPLOYEE_FIELD[f]).filter((f) => f !== undefined);
  const result = validated('employees', mapped.sourceId, {
    external_id: mapped.sourceId,
    first_name: p.firstName,
    last_name: p.lastName,
    email: p.email,
    birth_date: p.birthDate,
    contract_start: p.contractStart,
    contract_end: p.contractEnd,
    department,
    // Lucca: a null manager means "no manager but themselves"; Reflect refuses one's own manager.
    manager_external_id: manager === mapped.sourceId ? null : manager,
    employee_number: employeeNumber,
  });
  return result.kind === 'record' && unknown.length > 0 ? { ...result, unknown } : result;
}
