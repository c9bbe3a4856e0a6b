/**
 * Extra field mappings per connection (issue 20): a Lucca source mapped to a named attribute on the
 * target, with a type, transforms from a closed list and a three-way policy. Pure; the zod schemas
 * are the one definition of the configuration format (README "Extra field mappings").
 *
 * Sources (Lucca v3 user, developers.lucca.fr "The user resource" and "Extended Data"):
 * - `extendedData.e_<name>`: a custom HR-file field. Lucca serves it inside `extendedData` as
 *   `{ "id": <value id>, "value": <value> }` (a list entry's value is its numeric id; a multi-value
 *   field is an array; a composite one an object: both are refused as not one value);
 * - `axis.<axisId>`: the employee's section on an analytical axis, `userAxisValues_<axisId>` → its name;
 * - a core property: `jobTitle`, `employeeNumber`, `department.name`, `legalEntity.name`… (see CORE_SOURCES).
 *
 * Visibility (docs/design.md §3 "Unknown is not empty"): Lucca leaves out what the key's role may not
 * read. A source whose key is absent from the record (no `extendedData`, no `e_…` entry in it, no
 * `department`) is *not visible*: never written, never a change. Present with `null` (or
 * `{ value: null }`) is an empty value, which syncs as empty.
 */
import { z } from 'zod';
import { isValidIsoDate, parseLuccaDate } from './person.js';
import { hasForbiddenCharacters } from './quarantine.js';
import { PolicySchema } from './three-way.js';

/** v3 core properties a mapping may read, and the `fields` entry that asks Lucca for each. */
export const CORE_SOURCES: Record<string, string> = {
  jobTitle: 'jobTitle',
  employeeNumber: 'employeeNumber',
  gender: 'gender',
  nationality: 'nationality',
  csp: 'csp',
  seniorityDate: 'seniorityDate',
  'department.id': 'department[id,name]',
  'department.name': 'department[id,name]',
  'legalEntity.id': 'legalEntity[id,name]',
  'legalEntity.name': 'legalEntity[id,name]',
  'manager.id': 'managerId',
};

const EXTENDED = /^extendedData\.(e_[A-Za-z0-9_]{1,100})$/;
const AXIS = /^axis\.([1-9]\d{0,9})$/;

export type ParsedSource =
  | { kind: 'extended'; key: string }
  | { kind: 'axis'; axisId: number }
  | { kind: 'core'; path: string };

export function parseSource(source: string): ParsedSource | null {
  const ext = EXTENDED.exec(source);
  if (ext) return { kind: 'extended', key: ext[1] as string };
  const axis = AXIS.exec(source);
  if (axis) return { kind: 'axis', axisId: Number(axis[1]) };
  if (Object.hasOwn(CORE_SOURCES, source)) return { kind: 'core', path: source };
  return null;
}

export const SourceSchema = z.string().refine((s) => parseSource(s) !== null, {
  message: `must be extendedData.e_<name>, axis.<axisId>, or one of ${Object.keys(CORE_SOURCES).join(', ')}`,
});

export const TransformSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('trim') }),
  z.strictObject({ kind: z.literal('lower-case') }),
  z.strictObject({ kind: z.literal('date-only') }),
  z.strictObject({
    kind: z.literal('value-map'),
    map: z.record(z.string(), z.string()).refine((m) => Object.keys(m).length > 0, { message: 'must map at least one value' }),
    /** A value the map does not list: `misfit` quarantines the record (default), `keep` passes it on. */
    otherwise: z.enum(['misfit', 'keep']).default('misfit'),
  }),
]);
export type Transform = z.infer<typeof TransformSchema>;

export const MappingTypeSchema = z.enum(['text', 'date', 'number', 'enum']);
export type MappingType = z.infer<typeof MappingTypeSchema>;

/** A target attribute name: what HappyPal and Reflect accept as a custom attribute key. */
export const TargetAttributeSchema = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _, starting with a letter (at most 63)');

export const FieldMappingSchema = z.strictObject({
  source: SourceSchema,
  target: TargetAttributeSchema,
  type: MappingTypeSchema,
  /** For `enum`: the values the target accepts. */
  values: z.array(z.string().min(1)).min(1).optional(),
  transforms: z.array(TransformSchema).default([]),
  /** The three-way policy (docs/design.md §3); absent = the connection's default policy. */
  policy: PolicySchema.optional(),
}).superRefine((m, ctx) => {
  if (m.type === 'enum' && !m.values) ctx.addIssue({ code: 'custom', path: ['values'], message: 'is required for type enum' });
  if (m.type !== 'enum' && m.values) ctx.addIssue({ code: 'custom', path: ['values'], message: 'is only for type enum' });
});
export type FieldMapping = z.infer<typeof FieldMappingSchema>;
export type FieldMappingInput = z.input<typeof FieldMappingSchema>;

/** Every mapping of a connection; target names are unique. */
export const FieldMappingsSchema = z.array(FieldMappingSchema).max(50).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((m, i) => {
    if (seen.has(m.target)) ctx.addIssue({ code: 'custom', path: [i, 'target'], message: `"${m.target}" is mapped twice` });
    seen.add(m.target);
  });
});

/** The key under which a mapped value lives in snapshots, conflicts and report lines. */
export const extraKey = (target: string) => `attr.${target}`;
export const isExtraKey = (key: string) => key.startsWith('attr.');
export const targetOfExtraKey = (key: string) => key.slice('attr.'.length);

/** The `fields` entries that make Lucca return every mapped source. */
export function luccaFieldsFor(mappings: readonly FieldMapping[]): string[] {
  const out = new Set<string>();
  for (const m of mappings) {
    const s = parseSource(m.source);
    if (s?.kind === 'extended') out.add('extendedData');
    else if (s?.kind === 'axis') out.add(`userAxisValues_${s.axisId}[id,name]`);
    else if (s?.kind === 'core') out.add(CORE_SOURCES[s.path] as string);
  }
  return [...out];
}

export type SourceRead = { visible: false } | { visible: true; value: unknown };

/** The raw value of a mapping's source in one v3 user record (own properties only). */
export function readSource(raw: unknown, source: string): SourceRead {
  const s = parseSource(source);
  if (!s || !isObject(raw)) return { visible: false };
  if (s.kind === 'extended') {
    if (!Object.hasOwn(raw, 'extendedData')) return { visible: false };
    const ext = raw.extendedData;
    if (ext === null) return { visible: false };
    if (!isObject(ext) || !Object.hasOwn(ext, s.key)) return { visible: false };
    const entry = ext[s.key];
    if (isObject(entry) && Object.hasOwn(entry, 'value')) return { visible: true, value: entry.value };
    return { visible: true, value: entry };
  }
  if (s.kind === 'axis') {
    const key = `userAxisValues_${s.axisId}`;
    if (!Object.hasOwn(raw, key)) return { visible: false };
    const v = raw[key];
    if (v === null) return { visible: true, value: null };
    return isObject(v) && Object.hasOwn(v, 'name') ? { visible: true, value: v.name } : { visible: true, value: v };
  }
  const [head, sub] = s.path.split('.') as [string, string | undefined];
  if (!Object.hasOwn(raw, head)) return { visible: false };
  const v = raw[head];
  if (sub === undefined || v === null) return { visible: true, value: v };
  if (!isObject(v) || !Object.hasOwn(v, sub)) return { visible: false };
  return { visible: true, value: v[sub] };
}

export type MappedValue =
  /** The canonical string of the value (numbers as `String(Number)`, dates `YYYY-MM-DD`), or null. */
  | { ok: true; value: string | null }
  /** PII-free: names the attribute and the rule, never the value. */
  | { ok: false; message: string };

const misfit = (m: FieldMapping, what: string): MappedValue => ({ ok: false, message: `attribute ${m.target} (${m.source}): ${what}` });

/** Applies the transforms in order, then checks the type. `null` (an empty value) stays null. */
export function mapValue(m: FieldMapping, raw: unknown): MappedValue {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (Array.isArray(raw)) return misfit(m, 'Lucca holds several values; map a single-value field');
  if (typeof raw === 'object') return misfit(m, 'Lucca holds a composite value; map one of its single-value fields');
  if (typeof raw === 'boolean') raw = raw ? 'true' : 'false';
  if (typeof raw === 'number' && !Number.isFinite(raw)) return misfit(m, 'not a finite number');
  let v: string = typeof raw === 'number' ? String(raw) : String(raw);
  for (const t of m.transforms) {
    switch (t.kind) {
      case 'trim': v = v.trim(); break;
      case 'lower-case': v = v.toLowerCase(); break;
      case 'date-only': {
        const d = parseLuccaDate(v);
        if (!d.ok || d.value === null) return misfit(m, 'date-only: not a Lucca date or date-time');
        v = d.value;
        break;
      }
      case 'value-map':
        if (Object.hasOwn(t.map, v)) v = t.map[v] as string;
        else if (t.otherwise === 'misfit') return misfit(m, 'value-map: a value the map does not list');
        break;
    }
  }
  if (v === '') return { ok: true, value: null };
  switch (m.type) {
    case 'text':
      if (v.length > 500) return misfit(m, 'expects a text of at most 500 characters');
      if (hasForbiddenCharacters(v)) return misfit(m, 'expects a text without control or invisible characters');
      return { ok: true, value: v };
    case 'date':
      if (!isValidIsoDate(v)) return misfit(m, 'expects a date (YYYY-MM-DD); the Lucca value is not one (add the date-only transform for a date-time)');
      return { ok: true, value: v };
    case 'number': {
      if (!/^-?\d{1,15}(\.\d{1,6})?$/.test(v.trim())) return misfit(m, 'expects a number; the Lucca value is not one');
      return { ok: true, value: String(Number(v.trim())) };
    }
    case 'enum':
      if (!(m.values ?? []).includes(v)) return misfit(m, `expects one of ${(m.values ?? []).join(', ')}; the Lucca value is not one of them (add a value-map)`);
      return { ok: true, value: v };
  }
}

export type MappedRecord = {
  /** Mapped values by target attribute (visible sources only). */
  values: Record<string, string | null>;
  /** Target attributes whose source the key cannot see for this record. */
  unknown: string[];
  /** PII-free misfit messages; non-empty = quarantine the record. */
  misfits: { target: string; message: string }[];
};

/** Every mapping of a connection applied to one raw Lucca record. */
export function mapExtras(raw: unknown, mappings: readonly FieldMapping[]): MappedRecord {
  const out: MappedRecord = { values: {}, unknown: [], misfits: [] };
  for (const m of mappings) {
    const read = readSource(raw, m.source);
    if (!read.visible) {
      out.unknown.push(m.target);
      continue;
    }
    const mapped = mapValue(m, read.value);
    if (mapped.ok) out.values[m.target] = mapped.value;
    else out.misfits.push({ target: m.target, message: mapped.message });
  }
  return out;
}

/** The value as the target's JSON expects it: numbers as numbers, the rest as strings. */
export function toTargetValue(type: MappingType, value: string | null): string | number | null {
  if (value === null) return null;
  return type === 'number' ? Number(value) : value;
}

/** A target's value read back, in the canonical string form used for comparison. */
export function fromTargetValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return String(value);
  return String(value);
}

/** The HR-file section / permission a source needs, in the words of Lucca's screens. */
export function sourcePermission(source: string): string {
  const s = parseSource(source);
  if (s?.kind === 'extended') return `"Consult HR files" › select the relevant section (the one holding ${s.key})`;
  if (s?.kind === 'axis') return `"Consult users" › analytical axis ${s.axisId} (the role must see the axis sections)`;
  if (s?.path.startsWith('manager')) return '"View employee managers"';
  if (s?.path === 'jobTitle') return '"View employee jobs"';
  return '"Consult users"';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
