/**
 * Quarantine reasons for bad source records (docs/design.md §3 "Bad records"), and the value checks that
 * produce them. A reason's message never contains a personal value: only the field and the rule.
 */
import { z } from 'zod';

export const QuarantineCodeSchema = z.enum([
  'malformed_record',
  'missing_first_name',
  'missing_last_name',
  'missing_email',
  'invalid_email',
  'invalid_characters',
  'impossible_date',
  'birth_date_in_future',
  'contract_end_before_start',
  /** The target profile it matches does not match the target's contract (e.g. an unknown status). */
  'target_profile_unreadable',
  /** A mapped extra field's value does not fit its type or transforms (rules/field-mapping.ts). */
  'mapped_value_misfit',
]);
export type QuarantineCode = z.infer<typeof QuarantineCodeSchema>;

export const QuarantineReasonSchema = z.object({
  code: QuarantineCodeSchema,
  /** A field of the synced model (`email`, `birthDate`…), or `id` for the record's identifier. */
  field: z.string().optional(),
  message: z.string(),
});
export type QuarantineReason = z.infer<typeof QuarantineReasonSchema>;

export function reason(code: QuarantineCode, message: string, field?: string): QuarantineReason {
  return field === undefined ? { code, message } : { code, field, message };
}

/**
 * C0/C1 controls (incl. tab and newline), bidi overrides/isolates (spoofing), lone surrogates,
 * and zero-width/format characters that are never legitimate in a printed name, except ZWJ/ZWNJ
 * (U+200C/U+200D), which some scripts need.
 */
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cs}\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

/** Checked after trimming: surrounding whitespace (a trailing newline from a copy-paste) is dropped. */
export function hasForbiddenCharacters(s: string): boolean {
  return FORBIDDEN_IN_NAME.test(s.trim());
}

const LOCAL_PART = /^[^\s@"(),:;<>[\\\]\p{Cc}\p{Cs}]{1,64}$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TOP_LEVEL = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;

/**
 * Pragmatic address check on an already-normalised email: one `@`, a local part without spaces,
 * quotes or controls and without leading/trailing/double dots, and a domain of at least two
 * labels ending in an alphabetic (or punycode) top-level label. Unicode letters are accepted.
 */
export function isValidEmail(email: string): boolean {
  if (email.length > 254) return false;
  const at = email.lastIndexOf('@');
  if (at <= 0 || email.indexOf('@') !== at) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return false;
  }
  const labels = domain.split('.');
  const tld = labels[labels.length - 1];
  if (labels.length < 2 || tld === undefined || domain.length > 253) return false;
  return labels.every((l) => DOMAIN_LABEL.test(l)) && TOP_LEVEL.test(tld);
}
