/**
 * The Reflect connector's pure model: what one dataset's mapping produces per source record, the
 * planned report line, and the snapshot form of a record (what we last wrote). No I/O.
 */
import type { z } from 'zod';
import { reflectRecordSchemas } from './schemas.js';
import { REFLECT_DATASETS, type ReflectDataset } from './target.js';
import { parseLuccaDate } from '../../../rules/person.js';

export { REFLECT_DATASETS };

/** Report lines of one dataset use seq in [index × SECTION, (index + 1) × SECTION): one run, four sections. */
export const SECTION_SEQ = 10_000_000;
export const sectionSeq = (dataset: ReflectDataset) => REFLECT_DATASETS.indexOf(dataset) * SECTION_SEQ;

/** Why a record was not sent. Messages name a field and a rule, never a value (they may be personal data). */
export interface Reason {
  code: string;
  field?: string;
  message: string;
}

/** A Reflect record after validation against the contract (defaults filled, text trimmed). */
export type ReflectRecord = Record<string, string | number | null>;

export type Mapped =
  /**
   * Send this record (when it differs from what we last wrote). `unknown`: fields the Lucca key
   * cannot see; an upsert replaces the whole record, so they carry what we last wrote (diff.ts).
   * `numeric`: those of them Reflect takes as JSON numbers (a mapped `number` attribute), whose
   * snapshot text is sent back as a number.
   */
  | { kind: 'record'; id: string; record: ReflectRecord; unknown?: string[]; numeric?: string[] }
  /** Lucca says it no longer stands (a cancelled leave, a deleted variable item): delete it if we wrote it. */
  | { kind: 'gone'; id: string }
  /** Not sendable: quarantined with reasons, retried when read again. */
  | { kind: 'invalid'; id: string; reasons: Reason[] }
  /** Read incompletely (a leave period cut by the edge of a date window): left as it is this run. */
  | { kind: 'skipped'; id: string };

/** What we last wrote, as stored in `snapshots.fields` (values as strings, null kept). */
export type Fields = Record<string, string | null>;

export function toFields(record: ReflectRecord): Fields {
  const out: Fields = {};
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    out[key] = v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/**
 * Validates a mapped record with Reflect's own contract, so a record Reflect would refuse is
 * quarantined (with the field and the rule) instead of sent; `extra` adds our own rules.
 */
export function validated(dataset: ReflectDataset, id: string, input: Record<string, unknown>, extra: Reason[] = []): Mapped {
  const schema: z.ZodType<ReflectRecord> = reflectRecordSchemas[dataset] as never;
  const parsed = schema.safeParse(input);
  const reasons = [...extra];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.map(String).join('.') || 'record';
      reasons.push({ code: 'invalid_value', field, message: `${field} ${issue.message}` });
    }
  }
  if (reasons.length > 0 || !parsed.success) return { kind: 'invalid', id, reasons };
  return { kind: 'record', id, record: parsed.data };
}

/**
 * Lucca v3 / v4 date or date-time → its Europe/Paris day `YYYY-MM-DD` (parseLuccaDate: `Z` and
 * offsets converted, local date-times as written); anything else, or an impossible day → null.
 */
export function dateOf(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const parsed = parseLuccaDate(v);
  return parsed.ok ? parsed.value : null;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An integer id (number or numeric string) → its string form; otherwise null. */
export function idOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^\d{1,18}$/.test(v.trim())) return v.trim();
  return null;
}

/** `YYYY-MM-DD` plus whole days (UTC calendar arithmetic). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
