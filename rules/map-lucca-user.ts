/**
 * Lucca v3 user item (docs/lucca-api.md §2a) → canonical {@link Person}, or a quarantine with precise,
 * PII-free reasons (docs/design.md §3 "Bad records"). Pure: `today` is passed in.
 *
 * Hardening: only the known keys are read, each with `Object.hasOwn`, into a fresh object; no key of
 * the payload is ever copied, so `__proto__` / `constructor` / `prototype` payloads are inert.
 */
import { z } from 'zod';
import { isValidIsoDate, normaliseEmail, normaliseName, parseLuccaDate, type Person } from './person.js';
import { hasForbiddenCharacters, isValidEmail, reason, type QuarantineReason } from './quarantine.js';
import { omittedFields, type HideableField } from './visibility.js';

const optionalString = z.string().nullable().optional();

/**
 * The raw fields we read. A missing key (e.g. `birthDate` without HR-file permission) is fine: the
 * field is then unknown for this record (`unknown`), which is not the same as empty.
 */
export const LuccaUserRawSchema = z.object({
  id: z.int().nonnegative(),
  firstName: optionalString,
  lastName: optionalString,
  mail: optionalString,
  birthDate: optionalString,
  dtContractStart: optionalString,
  dtContractEnd: optionalString,
  modifiedAt: z.unknown().optional(),
  modifiedOn: z.unknown().optional(),
});
export type LuccaUserRaw = z.infer<typeof LuccaUserRawSchema>;

const KNOWN_KEYS = Object.keys(LuccaUserRawSchema.shape) as (keyof LuccaUserRaw)[];

/** Raw key → field name used in reasons (the synced model's names). */
const FIELD_OF: Record<string, string> = {
  id: 'id',
  firstName: 'firstName',
  lastName: 'lastName',
  mail: 'email',
  birthDate: 'birthDate',
  dtContractStart: 'contractStart',
  dtContractEnd: 'contractEnd',
};

export type MapLuccaUserResult =
  /**
   * `unknown`: hideable fields Lucca left out of the record (the key may not see them). Their value
   * in `person` is a null placeholder that must never be written or compared (visibility.ts).
   */
  | { ok: true; sourceId: string; person: Person; modifiedAt: string | null; unknown: HideableField[] }
  | { ok: false; sourceId: string | null; reasons: QuarantineReason[] };

const EARLIEST_BIRTH_DATE = '1900-01-01';

export function mapLuccaUser(raw: unknown, today: string): MapLuccaUserResult {
  if (!isValidIsoDate(today)) throw new RangeError('mapLuccaUser: today must be a YYYY-MM-DD date');
  const picked = pickKnown(raw);
  if (picked === null) {
    return { ok: false, sourceId: null, reasons: [reason('malformed_record', 'record is not a JSON object')] };
  }
  const id = LuccaUserRawSchema.shape.id.safeParse(picked.id);
  const sourceId = id.success ? String(id.data) : null;
  const parsed = LuccaUserRawSchema.safeParse(picked);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'record')))];
    const reasons = fields.map((f) =>
      f === 'id'
        ? reason('malformed_record', 'record has no valid numeric id', 'id')
        : reason('malformed_record', `${FIELD_OF[f] ?? f} has the wrong type`, FIELD_OF[f] ?? f),
    );
    return { ok: false, sourceId, reasons };
  }
  const u = parsed.data;
  const reasons: QuarantineReason[] = [];
  const firstName = checkName(u.firstName, 'firstName', 'first name', 'missing_first_name', reasons);
  const lastName = checkName(u.lastName, 'lastName', 'last name', 'missing_last_name', reasons);
  const email = checkEmail(u.mail, reasons);
  const birthDate = checkDate(u.birthDate, 'birthDate', 'birth date', reasons);
  const contractStart = checkDate(u.dtContractStart, 'contractStart', 'contract start date', reasons);
  const contractEnd = checkDate(u.dtContractEnd, 'contractEnd', 'contract end date', reasons);
  if (typeof birthDate === 'string') {
    if (birthDate > today) {
      reasons.push(reason('birth_date_in_future', 'birth date is in the future', 'birthDate'));
    } else if (birthDate < EARLIEST_BIRTH_DATE) {
      reasons.push(reason('impossible_date', 'birth date is before 1900', 'birthDate'));
    }
  }
  if (typeof contractStart === 'string' && typeof contractEnd === 'string' && contractEnd < contractStart) {
    reasons.push(reason('contract_end_before_start', 'contract end date is before contract start date', 'contractEnd'));
  }
  if (
    reasons.length > 0 || firstName === undefined || lastName === undefined || email === undefined ||
    birthDate === undefined || contractStart === undefined || contractEnd === undefined
  ) {
    return { ok: false, sourceId, reasons };
  }
  const person: Person = { firstName, lastName, email, birthDate, contractStart, contractEnd };
  return { ok: true, sourceId: String(u.id), person, modifiedAt: modifiedAt(u), unknown: omittedFields(picked) };
}

/** Known keys only, own properties only; null if `raw` is not a plain JSON-like object. */
function pickKnown(raw: unknown): Record<string, unknown> | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  try {
    const out: Record<string, unknown> = {};
    for (const key of KNOWN_KEYS) {
      if (Object.hasOwn(raw, key)) out[key] = (raw as Record<string, unknown>)[key];
    }
    return out;
  } catch {
    return null; // a throwing getter or proxy trap: not data we can trust
  }
}

type Code = 'missing_first_name' | 'missing_last_name';

function checkName(v: string | null | undefined, field: string, label: string, missing: Code, out: QuarantineReason[]) {
  if (v == null || v.trim() === '') {
    out.push(reason(missing, `${label} is missing`, field));
    return undefined;
  }
  if (hasForbiddenCharacters(v)) {
    out.push(reason('invalid_characters', `${label} contains control or invisible characters`, field));
    return undefined;
  }
  return normaliseName(v);
}

function checkEmail(v: string | null | undefined, out: QuarantineReason[]): string | undefined {
  if (v == null || v.trim() === '') {
    out.push(reason('missing_email', 'professional email is missing', 'email'));
    return undefined;
  }
  const email = normaliseEmail(v);
  if (!isValidEmail(email)) {
    out.push(reason('invalid_email', 'professional email is not a valid address', 'email'));
    return undefined;
  }
  return email;
}

/** null when absent; undefined (plus a reason) when present but not a real date. */
function checkDate(v: string | null | undefined, field: string, label: string, out: QuarantineReason[]) {
  const r = parseLuccaDate(v ?? null);
  if (r.ok) return r.value;
  out.push(reason('impossible_date', `${label} is not a real calendar date`, field));
  return undefined;
}

function modifiedAt(u: LuccaUserRaw): string | null {
  for (const v of [u.modifiedAt, u.modifiedOn]) {
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return null;
}
