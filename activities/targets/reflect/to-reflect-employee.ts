/**
 * Lucca v3 user → Reflect `employees` record. The people rules are the HappyPal connector's own
 * (rules/map-lucca-user.ts: names, email normalisation, real dates, birth date not in the
 * future, contract end after start), so one bad record is quarantined the same way by both
 * connectors; Reflect's analytics fields (department, manager, employee number) are added here. Pure.
 */
import { mapLuccaUser } from '../../../rules/map-lucca-user.js';
import { apiFields, normaliseName, type SyncedField } from '../../../rules/person.js';
import { idOf, isObject, validated, type Mapped, type ReflectRecord } from './model.js';
import { extraKey, isExtraKey, mapExtras, targetOfExtraKey, toTargetValue, type FieldMapping } from '../../../rules/field-mapping.js';
import { withHiddenMappings } from '../../../rules/mapped-visibility.js';

/** Our flat record → Reflect's payload: `attr.<name>` fields nested into `custom_attributes` (nulls left out). */
export function reflectPayload(record: ReflectRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attributes: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!isExtraKey(key)) out[key] = value;
    else if (value !== null) attributes[targetOfExtraKey(key)] = value;
  }
  if (Object.keys(attributes).length > 0) out.custom_attributes = attributes;
  return out;
}

/** Our field → the Reflect employees field it is written to (the fields a key may hide). */
export const REFLECT_EMPLOYEE_FIELD: Partial<Record<SyncedField, string>> = {
  birthDate: 'birth_date', contractStart: 'contract_start', contractEnd: 'contract_end',
};

/**
 * `hidden`: fields hidden run-wide, unknown for every record: synced fields (visibility.ts hiddenFields)
 * and mapped attributes as `attr.<name>` (mapped-visibility.ts hiddenMappings).
 */
/**
 * `mappings`: extra Lucca fields sent as custom attributes. In our model they are flat fields
 * `attr.<name>` of the record (so the diff and the report show each one before → after, and one the
 * key cannot see carries what we last wrote); the client nests them into `custom_attributes`
 * (reflectPayload). A value that does not fit its mapping quarantines the record.
 */
export function mapEmployee(raw: unknown, today: string, position: number, hidden: readonly string[] = [], mappings: readonly FieldMapping[] = []): Mapped {
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
  const hiddenSynced = hidden.filter((f): f is SyncedField => !isExtraKey(f));
  const unknown = [...new Set([...mapped.unknown, ...hiddenSynced])].map((f) => REFLECT_EMPLOYEE_FIELD[f]).filter((f) => f !== undefined);
  const result = validated('employees', mapped.sourceId, {
    external_id: mapped.sourceId,
    ...apiFields(p),
    department,
    // Lucca: a null manager means "no manager but themselves"; Reflect refuses one's own manager.
    manager_external_id: manager === mapped.sourceId ? null : manager,
    employee_number: employeeNumber,
  });
  if (result.kind !== 'record' || mappings.length === 0) return result.kind === 'record' && unknown.length > 0 ? { ...result, unknown } : result;
  const extras = withHiddenMappings(mapExtras(raw, mappings), hidden.filter(isExtraKey).map(targetOfExtraKey));
  if (extras.misfits.length > 0) {
    return { kind: 'invalid', id: result.id, reasons: extras.misfits.map((m) => ({ code: 'mapped_value_misfit', field: extraKey(m.target), message: m.message })) };
  }
  const record = { ...result.record };
  for (const m of mappings) if (!extras.unknown.includes(m.target)) record[extraKey(m.target)] = toTargetValue(m.type, extras.values[m.target] ?? null);
  const allUnknown = [...unknown, ...extras.unknown.map(extraKey)];
  const numeric = mappings.filter((m) => m.type === 'number' && extras.unknown.includes(m.target)).map((m) => extraKey(m.target));
  return { ...result, record, ...(allUnknown.length > 0 && { unknown: allUnknown }), ...(numeric.length > 0 && { numeric }) };
}
