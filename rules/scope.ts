/**
 * Which employees a connection syncs (issue 20): include / exclude legal entities, establishments
 * and departments, chosen by name or id from what the Lucca key sees. Pure: the schemas are the one
 * definition of the configuration format, resolution takes the org lists as read from Lucca, and
 * evaluation takes one employee's org ids.
 *
 * Lucca's org model as this module reads it (docs/lucca-api.md §2a, §2b; developers.lucca.fr, legacy user):
 * - a v3 user's `legalEntityId` is, in Lucca's words, the "establishment this employee works for"
 *   (the v4 work contract's `establishmentId` is the same id);
 * - an establishment belongs to a legal entity (legal unit, `/organization/structure/api/legal-units`),
 *   read from `/organization/structure/api/establishments` (`legalUnitId`);
 * - `departmentId` is the department.
 * So a legal entity in a scope is resolved to its establishments when the scope is set (and again
 * at every preview): an establishment created later under an included legal entity joins the scope
 * only once the scope is set again; the preview lists what each name resolved to.
 *
 * Rules of evaluation (documented decisions):
 * - Within `include`, each dimension that lists something must match (a list is an OR, dimensions
 *   are an AND: "legal entity A, departments Sales or Support"). An empty `include` includes all.
 * - `exclude` wins over `include`: any listed value excludes the employee.
 * - A dimension the scope uses whose value the key cannot see for this employee (absent, `null`)
 *   makes the employee `unknown`: never written, and never deactivated because of the scope
 *   (docs/design.md §3 "Unknown is not empty"). The run names the permission to grant.
 */
import { z } from 'zod';

export const SCOPE_DIMENSIONS = ['legalEntities', 'establishments', 'departments'] as const;
export type ScopeDimension = (typeof SCOPE_DIMENSIONS)[number];

/** How a dimension is written in messages, as Lucca's screens name it. */
export const DIMENSION_LABEL: Record<ScopeDimension, string> = {
  legalEntities: 'legal entity',
  establishments: 'establishment',
  departments: 'department',
};

/** A Lucca org item chosen by id (a positive integer, or its digits) or by exact name. */
export const ScopeRefSchema = z.union([
  z.number().int().positive(),
  z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
]);
export type ScopeRef = z.infer<typeof ScopeRefSchema>;

const ScopeListsSchema = z.strictObject({
  legalEntities: z.array(ScopeRefSchema).optional(),
  establishments: z.array(ScopeRefSchema).optional(),
  departments: z.array(ScopeRefSchema).optional(),
});

/** The scope as the operator writes it (CLI `--scope-file`, JSON). */
export const ScopeInputSchema = z.strictObject({
  include: ScopeListsSchema.optional(),
  exclude: ScopeListsSchema.optional(),
});
export type ScopeInput = z.infer<typeof ScopeInputSchema>;

const ResolvedRefSchema = z.object({ id: z.number().int(), name: z.string() });
const ResolvedListsSchema = z.object({
  legalEntities: z.array(ResolvedRefSchema.extend({ establishmentIds: z.array(z.number().int()) })),
  establishments: z.array(ResolvedRefSchema),
  departments: z.array(ResolvedRefSchema),
});

/** The scope as stored on the connection: what was written, and the ids it resolved to. */
export const ResolvedScopeSchema = z.object({
  input: ScopeInputSchema,
  include: ResolvedListsSchema,
  exclude: ResolvedListsSchema,
});
export type ResolvedScope = z.infer<typeof ResolvedScopeSchema>;

/** What the key sees of the org structure (for resolution). */
export interface OrgCatalog {
  legalEntities: { id: number; name: string }[];
  establishments: { id: number; name: string; legalEntityId: number | null }[];
  departments: { id: number; name: string }[];
}

export class ScopeResolutionError extends Error {
  constructor(readonly problems: string[]) {
    super(`The scope cannot be resolved against what the Lucca key sees: ${problems.join('; ')}.`);
    this.name = 'ScopeResolutionError';
  }
}

/**
 * Names and ids → the org items the key sees. Names match trimmed and case-insensitively (Unicode
 * NFC); an id must be one the key sees. Unknown or ambiguous names are all listed in one error
 * that says what to do. Org names are company data, not personal data: they may be shown.
 */
export function resolveScope(input: ScopeInput, catalog: OrgCatalog): ResolvedScope {
  const problems: string[] = [];
  const side = (lists: ScopeInput['include']) => {
    const out: ResolvedScope['include'] = { legalEntities: [], establishments: [], departments: [] };
    for (const dimension of SCOPE_DIMENSIONS) {
      const items = dimension === 'legalEntities' ? catalog.legalEntities : dimension === 'establishments' ? catalog.establishments : catalog.departments;
      for (const ref of lists?.[dimension] ?? []) {
        const found = findRef(items, ref);
        if (found.kind === 'unknown') {
          problems.push(`no ${DIMENSION_LABEL[dimension]} ${describeRef(ref)} is visible to the key (known: ${sample(items)})`);
          continue;
        }
        if (found.kind === 'ambiguous') {
          problems.push(`${DIMENSION_LABEL[dimension]} name ${describeRef(ref)} is ambiguous (ids ${found.ids.join(', ')}): use the id`);
          continue;
        }
        const item = { id: found.item.id, name: found.item.name };
        if (dimension === 'legalEntities') {
          const establishmentIds = catalog.establishments.filter((e) => e.legalEntityId === item.id).map((e) => e.id);
          if (!out.legalEntities.some((x) => x.id === item.id)) out.legalEntities.push({ ...item, establishmentIds });
        } else if (!out[dimension].some((x) => x.id === item.id)) out[dimension].push(item);
      }
    }
    return out;
  };
  const resolved = { input, include: side(input.include), exclude: side(input.exclude) };
  if (problems.length > 0) throw new ScopeResolutionError(problems);
  return resolved;
}

type Found<T> = { kind: 'found'; item: T } | { kind: 'unknown' } | { kind: 'ambiguous'; ids: number[] };

const norm = (s: string) => s.trim().normalize('NFC').toLowerCase();

function findRef<T extends { id: number; name: string }>(items: readonly T[], ref: ScopeRef): Found<T> {
  const asId = typeof ref === 'number' ? ref : /^\d+$/.test(ref) ? Number(ref) : null;
  if (asId !== null) {
    const item = items.find((i) => i.id === asId);
    if (item) return { kind: 'found', item };
    if (typeof ref === 'number') return { kind: 'unknown' };
  }
  const named = items.filter((i) => norm(i.name) === norm(String(ref)));
  if (named.length === 1) return { kind: 'found', item: named[0] as T };
  if (named.length > 1) return { kind: 'ambiguous', ids: named.map((i) => i.id) };
  return { kind: 'unknown' };
}

const describeRef = (ref: ScopeRef) => (typeof ref === 'number' ? `id ${ref}` : `"${ref}"`);

function sample(items: readonly { id: number; name: string }[]): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, 8).map((i) => `${i.id} "${i.name}"`).join(', ');
  return items.length > 8 ? `${shown}, … ${items.length - 8} more` : shown;
}

/** An employee's org ids as read from Lucca; null = the key does not show it (or it is empty). */
export interface EmployeeOrg {
  establishmentId: number | null;
  departmentId: number | null;
}

export type ScopeVerdict =
  | { in: true }
  | { in: false; reason: 'excluded' | 'not_included'; dimension: ScopeDimension }
  /** A dimension the scope uses is not visible for this employee: never written, never deactivated for it. */
  | { in: 'unknown'; dimension: ScopeDimension };

/** Whether the scope uses anything at all (no scope, or an empty one, includes everyone). */
export function scopeIsEmpty(scope: ResolvedScope | null | undefined): boolean {
  if (!scope) return true;
  return SCOPE_DIMENSIONS.every((d) => scope.include[d].length === 0 && scope.exclude[d].length === 0);
}

/** The dimensions the scope reads (so the fetch asks for them and the diagnosis checks them). */
export function scopeDimensions(scope: ResolvedScope | null | undefined): ScopeDimension[] {
  if (!scope) return [];
  return SCOPE_DIMENSIONS.filter((d) => scope.include[d].length > 0 || scope.exclude[d].length > 0);
}

export function evaluateScope(scope: ResolvedScope | null | undefined, org: EmployeeOrg): ScopeVerdict {
  if (!scope || scopeIsEmpty(scope)) return { in: true };
  const valueOf = (d: ScopeDimension): number | null => (d === 'departments' ? org.departmentId : org.establishmentId);
  const matches = (d: ScopeDimension, lists: ResolvedScope['include']): boolean => {
    const v = valueOf(d) as number;
    if (d === 'legalEntities') return lists.legalEntities.some((l) => l.establishmentIds.includes(v));
    return lists[d].some((x) => x.id === v);
  };
  for (const d of scopeDimensions(scope)) if (valueOf(d) === null) return { in: 'unknown', dimension: d };
  for (const d of SCOPE_DIMENSIONS) {
    if (scope.exclude[d].length > 0 && matches(d, scope.exclude)) return { in: false, reason: 'excluded', dimension: d };
  }
  for (const d of SCOPE_DIMENSIONS) {
    if (scope.include[d].length > 0 && !matches(d, scope.include)) return { in: false, reason: 'not_included', dimension: d };
  }
  return { in: true };
}

/** The v3 user properties a scope reads (added to `fields` when the connection has a scope). */
export const SCOPE_LUCCA_FIELDS: Record<ScopeDimension, string> = {
  legalEntities: 'legalEntityId',
  establishments: 'legalEntityId',
  departments: 'departmentId',
};

/** One raw v3 user → its org ids (a missing key, `null` or a non-integer is "not visible"). */
export function orgOf(raw: unknown): EmployeeOrg {
  const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const int = (key: string): number | null => {
    const v = Object.hasOwn(r, key) ? r[key] : null;
    return typeof v === 'number' && Number.isInteger(v) ? v : null;
  };
  return { establishmentId: int('legalEntityId'), departmentId: int('departmentId') };
}

/** A PII-free sentence for a report line or a preview. */
export function describeVerdict(v: ScopeVerdict): string {
  if (v.in === true) return 'in the scope';
  if (v.in === 'unknown') return `outside what the key shows: its ${DIMENSION_LABEL[v.dimension]} is not visible to the Lucca key`;
  return v.reason === 'excluded' ? `excluded by the scope (${DIMENSION_LABEL[v.dimension]})` : `not included by the scope (${DIMENSION_LABEL[v.dimension]})`;
}

/** A one-line summary of a scope for `connection show` (names as resolved). */
export function describeScope(scope: ResolvedScope | null | undefined): string {
  if (scopeIsEmpty(scope)) return 'every employee the Lucca key sees';
  const s = scope as ResolvedScope;
  const part = (lists: ResolvedScope['include']) => SCOPE_DIMENSIONS.filter((d) => lists[d].length > 0)
    .map((d) => `${DIMENSION_LABEL[d]}: ${lists[d].map((x) => `${x.name} (${x.id})`).join(', ')}`).join('; ');
  const inc = part(s.include);
  const exc = part(s.exclude);
  return [inc ? `include ${inc}` : 'include all', exc ? `exclude ${exc}` : ''].filter(Boolean).join(' — ');
}
