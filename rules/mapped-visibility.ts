/**
 * "Unknown is not empty" (docs/design.md §3) for the extra fields mapped to target attributes
 * (rules/field-mapping.ts), the same rules as the fixed fields' (rules/visibility.ts). Pure.
 *
 * What Lucca does with a source the key's role may not read (docs/lucca-api.md §1a, silent filtering):
 * - an `extendedData.e_…` field of an HR-file section the role's "Consult HR files" does not cover
 *   is left out of `extendedData` (and `extendedData` itself may be left out, or `null`): the value
 *   is *not visible* for that record (field-mapping.ts readSource);
 * - some resources serve a hidden property as `null` instead. A `null` is also a real empty value,
 *   so, as for the fixed fields, a mapped attribute is hidden run-wide only when no record read has
 *   a value for it AND at least {@link MIN_CLEARED_FOR_HIDDEN} records read carry `null` where what
 *   we last synced for them (the snapshot, `attr.<name>`) holds a value. One person cleared in Lucca
 *   is below the threshold and syncs as a change.
 *
 * A value not visible is never written, leaves the base unchanged, opens no conflict and is counted
 * in the run's note ({@link mappedNotVisibleNote}), with the permission that shows it.
 */
import { MIN_CLEARED_FOR_HIDDEN, type FieldEvidence } from './visibility.js';
import { extraKey, parseSource, readSource, sourcePermission, type FieldMapping, type MappedRecord } from './field-mapping.js';

/** Per mapped target attribute: records read with a value, and records read with `null` whose snapshot holds one. */
export type MappedEvidence = Record<string, FieldEvidence>;

export const emptyMappedEvidence = (mappings: readonly FieldMapping[]): MappedEvidence =>
  Object.fromEntries(mappings.map((m) => [m.target, { valued: 0, cleared: 0 }]));

/**
 * Adds one raw Lucca record and its snapshot (by our keys: `attr.<name>` for a mapped attribute) to
 * the evidence. A source the record leaves out counts for nothing (it is not visible for that record
 * anyway). The database form of the same count is db/queries/visibility.ts (mappedEvidence).
 */
export function addMappedEvidence(
  evidence: MappedEvidence, raw: unknown, snapshot: Readonly<Record<string, string | null>> | undefined, mappings: readonly FieldMapping[],
): void {
  for (const m of mappings) {
    const read = readSource(raw, m.source);
    if (!read.visible) continue;
    const e = (evidence[m.target] ??= { valued: 0, cleared: 0 });
    if (read.value !== null && read.value !== undefined) e.valued += 1;
    else if (read.value === null && typeof snapshot?.[extraKey(m.target)] === 'string') e.cleared += 1;
  }
}

/** The target attributes hidden run-wide (see the module comment). */
export function hiddenMappings(evidence: MappedEvidence): string[] {
  return Object.entries(evidence).filter(([, e]) => e.valued === 0 && e.cleared >= MIN_CLEARED_FOR_HIDDEN).map(([target]) => target);
}

/**
 * One record's mapped values with the attributes hidden run-wide taken out: they join `unknown`
 * (not visible), whatever the record holds for them.
 */
export function withHiddenMappings(record: MappedRecord, hidden: readonly string[]): MappedRecord {
  if (hidden.length === 0) return record;
  const values = { ...record.values };
  for (const target of hidden) delete values[target];
  return {
    values,
    unknown: [...new Set([...record.unknown, ...hidden])],
    misfits: record.misfits.filter((m) => !hidden.includes(m.target)),
  };
}

/**
 * Where a source sits in a v3 user record, for the database count: `path` from the record's root,
 * then, when the value there is an object, the property `unwrap` holds the value (`{ id, value }` of
 * an extended field, `{ id, name }` of an axis section, `department.name`…). Mirrors readSource.
 */
export function sourcePath(source: string): { path: string[]; unwrap: string | null } | null {
  const s = parseSource(source);
  if (!s) return null;
  if (s.kind === 'extended') return { path: ['extendedData', s.key], unwrap: 'value' };
  if (s.kind === 'axis') return { path: [`userAxisValues_${s.axisId}`], unwrap: 'name' };
  const [head, sub] = s.path.split('.') as [string, string | undefined];
  return { path: [head], unwrap: sub ?? null };
}

/**
 * The run's note on mapped values the key could not see: per attribute, how many records, whether
 * Lucca left it out or served it `null` for everyone, that nothing was written and the target keeps
 * its value, and the permission that shows it. Null when every mapped value was visible. PII-free.
 */
export function mappedNotVisibleNote(
  mappings: readonly FieldMapping[], notVisible: ReadonlyMap<string, number>, hidden: readonly string[], targetName: string,
): string | null {
  const parts = mappings.filter((m) => (notVisible.get(m.target) ?? 0) > 0).map((m) =>
    `custom attribute ${m.target} (${m.source}) was not visible to the Lucca key for ${notVisible.get(m.target)} employee(s); ` +
    `nothing was written for it and ${targetName} keeps its value ` +
    `(${hidden.includes(m.target) ? 'null for everyone read, while we had synced values' : 'left out by Lucca'}). ` +
    `To sync it, grant the key's role ${sourcePermission(m.source)}.`);
  return parts.length > 0 ? parts.join(' ') : null;
}
