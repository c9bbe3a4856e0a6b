/**
 * Setting a connection's scope and extra field mappings (issue 20), shared by the CLI and the
 * console: each change is previewed first (a dry run against what the Lucca key sees now: who is
 * in, who leaves, what the mappings read), then applied on confirmation, and audited.
 */
import { createDispatcher } from '../activities/http/http.js';
import { createLuccaClient, type LuccaClient } from '../activities/lucca/client.js';
import { unlimited } from '../activities/http/rate-limiter.js';
import { SyncError } from '../activities/errors.js';
import { CONNECTORS } from '../activities/targets/connectors.js';
import type { TargetAttributeDefinition, TargetScopeSupport } from '../activities/targets/connector.js';
import { isTargetName, targetLabel } from '../activities/targets/registry.js';
import { updateConnection as updateConnectionRow, type Connection } from '../db/queries/connections.js';
import { requireFullRead } from '../db/queries/datasets.js';
import { allowedHostsFor, validateLuccaUrl, validateTargetUrl } from '../lib/lucca-url.js';
import { storedMappings, storedScope, usersFields } from '../rules/connection-config.js';
import { FieldMappingsSchema, mapExtras, readSource, sourcePermission, type FieldMapping } from '../rules/field-mapping.js';
import {
  describeScope, evaluateScope, orgOf, resolveScope, ScopeInputSchema, ScopeResolutionError, type OrgCatalog, type ResolvedScope, type ScopeInput,
} from '../rules/scope.js';
import { recordAudit } from './audit.js';
import { getConnection, type ServiceContext } from './connections.js';
import { ServiceError } from './errors.js';

const PAGE = 1000;

function luccaOf(sctx: Pick<ServiceContext, 'cipher' | 'env'>, row: Connection) {
  const dispatcher = createDispatcher(2);
  const lucca = createLuccaClient({
    baseUrl: validateLuccaUrl(row.luccaUrl, allowedHostsFor(sctx.env.LUCCA_ALLOWED_HOSTS, row)),
    apiKey: sctx.cipher.decrypt(row.luccaKeyEnc), dispatcher, limiter: unlimited,
  });
  return { lucca, close: () => dispatcher.close() };
}

/** Lucca errors (a refused key, an unknown instance) become a ServiceError the CLI and console print. */
async function withLucca<T>(sctx: Pick<ServiceContext, 'cipher' | 'env'>, row: Connection, run: (lucca: LuccaClient) => Promise<T>): Promise<T> {
  const { lucca, close } = luccaOf(sctx, row);
  try {
    return await run(lucca);
  } catch (err) {
    if (err instanceof SyncError) throw new ServiceError('refused', err.message.replace('<name>', row.name));
    throw err;
  } finally {
    await close();
  }
}

/** Everything the key sees of the org structure (names are company data, not personal data). */
export async function readOrgCatalog(lucca: LuccaClient): Promise<OrgCatalog> {
  const v4All = async (list: LuccaClient['listLegalUnits']) => {
    const items: unknown[] = [];
    for (let page = 1; ; page++) {
      const p = await list({ page, limit: PAGE });
      items.push(...p.items);
      if (!p.hasNext || p.items.length === 0) return items;
    }
  };
  const departments: unknown[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const p = await lucca.listDepartments({ offset, limit: PAGE });
    departments.push(...p.items);
    if (p.items.length < PAGE) break;
  }
  const named = (items: unknown[]) => items.flatMap((i) => {
    const r = i as { id?: unknown; name?: unknown; legalUnitId?: unknown };
    return typeof r.id === 'number' && typeof r.name === 'string' ? [{ id: r.id, name: r.name, legalEntityId: typeof r.legalUnitId === 'number' ? r.legalUnitId : null }] : [];
  });
  const [units, establishments] = [named(await v4All(lucca.listLegalUnits)), named(await v4All(lucca.listEstablishments))];
  return {
    legalEntities: units.map(({ id, name }) => ({ id, name })),
    establishments,
    departments: named(departments).map(({ id, name }) => ({ id, name })),
  };
}

/** Every user the key sees, with only the given fields (ids, org ids, mapped sources). */
async function readUsers(lucca: LuccaClient, fields: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await lucca.listUsers({ offset, limit: PAGE, fields, formerEmployees: true });
    out.push(...page.items);
    if (page.items.length < PAGE) return out;
  }
}

export interface ScopePreview {
  connection: Connection;
  /** null: the change removes the scope (everyone the key sees). */
  resolved: ResolvedScope | null;
  description: string;
  employees: { seen: number; inScope: number; outOfScope: number; notVisible: number };
  /** People written to the target before (HappyPal: linked profiles) the next sync would deactivate (Reflect: end), because they are now out of scope. */
  toDeactivate: number;
  /** People written before that the current scope left out, and the new one brings back (reactivated if their contract runs). */
  backInScope: number;
  /** Employees in scope not written yet: created (HappyPal: or attached by email) by the next sync. */
  newInScope: number;
  /** PII-free lines for the CLI. */
  lines: string[];
}

/**
 * A dry run of a scope change: resolves names against what the key sees now (an unknown or
 * ambiguous name is a clear error), then counts who would be in, out and not visible, and which
 * linked profiles the next sync would deactivate, under the deactivation guard as always.
 */
export async function previewScope(sctx: ServiceContext, name: string, raw: unknown | null): Promise<ScopePreview> {
  const row = await getConnection(sctx, name);
  const support = scopeSupportOf(row.target);
  let input: ScopeInput | null = null;
  if (raw !== null) {
    const parsed = ScopeInputSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ServiceError('invalid', `bad scope: ${issue?.path.map(String).join('.') || 'scope'} ${issue?.message ?? 'is invalid'}. Expected {"include": {"legalEntities"|"establishments"|"departments": [name or id, …]}, "exclude": {…}}.`, 'scope');
    }
    input = parsed.data;
  }
  const current = storedScope(row.scope);
  return withLucca(sctx, row, async (lucca) => {
    let resolved: ResolvedScope | null = null;
    if (input) {
      try {
        resolved = resolveScope(input, await readOrgCatalog(lucca));
      } catch (err) {
        if (err instanceof ScopeResolutionError) throw new ServiceError('invalid', `${err.message} Nothing was changed.`, 'scope');
        throw err;
      }
    }
    const users = await readUsers(lucca, usersFields(['id'], resolved ?? current, []).concat(['legalEntityId', 'departmentId']));
    const linked = new Set(await support.writtenPeople(sctx.db, row.id));
    const employees = { seen: users.length, inScope: 0, outOfScope: 0, notVisible: 0 };
    let toDeactivate = 0;
    let backInScope = 0;
    let newInScope = 0;
    for (const user of users) {
      const id = String((user as { id?: unknown }).id);
      const org = orgOf(user);
      const now = evaluateScope(resolved, org).in;
      const before = evaluateScope(current, org).in;
      if (now === true) employees.inScope += 1;
      else if (now === false) employees.outOfScope += 1;
      else employees.notVisible += 1;
      if (linked.has(id) && now === false && before !== false) toDeactivate += 1;
      if (linked.has(id) && now === true && before === false) backInScope += 1;
      if (!linked.has(id) && now === true) newInScope += 1;
    }
    const description = describeScope(resolved);
    const lines = [
      `Scope: ${description}.`,
      ...(resolved ? resolvedLines(resolved) : []),
      `Employees the key sees: ${employees.seen}; in the scope: ${employees.inScope}; outside: ${employees.outOfScope}` +
        (employees.notVisible ? `; organisation not visible to the key: ${employees.notVisible} (never written, never deactivated for it)` : '') + '.',
      `At the next sync: ${toDeactivate} ${support.words.written} would be ${support.words.leaving} (out of the scope, under the ${row.deactivationGuardPct} % deactivation guard)` +
        `, ${backInScope} brought back into the scope, ${newInScope} employee(s) in the scope ${support.words.joining}.`,
      ...(support.words.others ? [support.words.others] : []),
    ];
    return { connection: row, resolved, description, employees, toDeactivate, backInScope, newInScope, lines };
  });
}

/** The target's scope support (its connector's), or a refusal that says a scope does not apply to it. */
function scopeSupportOf(target: string): TargetScopeSupport {
  const support = isTargetName(target) ? CONNECTORS[target].scope : undefined;
  if (!support) throw new ServiceError('refused', `a scope is not supported on ${targetLabel(target)} connections. Nothing was changed.`, 'scope');
  return support;
}

function resolvedLines(scope: ResolvedScope): string[] {
  return scope.include.legalEntities.concat(scope.exclude.legalEntities)
    .map((l) => `  legal entity ${l.name} (${l.id}) → establishment id(s) ${l.establishmentIds.join(', ') || 'none'}`);
}

/** Saves a previewed scope (the preview's resolution), audited. */
export async function applyScope(sctx: ServiceContext, preview: ScopePreview): Promise<Connection> {
  const row = preview.connection;
  await updateConnectionRow(sctx.db, row.id, { scope: preview.resolved as Record<string, unknown> | null });
  // Who is in the scope is decided again on everyone at the next sync, not only on the people Lucca modified since.
  await requireFullRead(sctx.db, row.id);
  await recordAudit(sctx.db, {
    actor: sctx.actor, action: 'update', connection: row,
    detail: { changed: ['scope'], scope: preview.description, toDeactivate: preview.toDeactivate },
  });
  return { ...row, scope: preview.resolved as Record<string, unknown> | null };
}

export interface MappingsPreview {
  connection: Connection;
  mappings: FieldMapping[];
  /** Per mapping: how many employees have a visible value, none visible (permission), and misfits. */
  perMapping: { target: string; source: string; visible: number; notVisible: number; misfits: number; permission: string }[];
  /** Problems on the target side (unknown attribute, another type): the mappings are refused while any remain. */
  targetProblems: string[];
  lines: string[];
}

/**
 * A dry run of new mappings: validates the format, checks each target attribute against the
 * target's own definitions (HappyPal: GET /v1/custom-attributes), reads the mapped sources of every
 * employee the key sees and counts visible values, values the key cannot see, and misfits (which
 * the sync would quarantine). No value is shown.
 */
export async function previewMappings(sctx: ServiceContext, name: string, raw: unknown): Promise<MappingsPreview> {
  const row = await getConnection(sctx, name);
  const parsed = FieldMappingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServiceError('invalid', `bad mappings: ${issue?.path.map(String).join('.') || 'mappings'} ${issue?.message ?? 'is invalid'}. See the README, "Extra field mappings".`, 'mappings');
  }
  const mappings = parsed.data;
  const definitions = await attributeDefinitionsOf(sctx, row);
  const targetProblems = definitions ? checkAgainst(mappings, definitions) : [];
  const perMapping = await withLucca(sctx, row, async (lucca) => {
    const users = mappings.length === 0 ? [] : await readUsers(lucca, usersFields(['id'], storedScope(row.scope), mappings));
    return mappings.map((m) => {
      let visible = 0;
      let notVisible = 0;
      let misfits = 0;
      for (const user of users) {
        if (!readSource(user, m.source).visible) notVisible += 1;
        else if (mapExtras(user, [m]).misfits.length > 0) misfits += 1;
        else visible += 1;
      }
      return { target: m.target, source: m.source, visible, notVisible, misfits, permission: sourcePermission(m.source) };
    });
  });
  const lines = [
    ...perMapping.map((p) => `${p.source} → ${p.target}: value readable for ${p.visible} employee(s)` +
      (p.notVisible ? `; not visible to the key for ${p.notVisible} (grant the key's role ${p.permission})` : '') +
      (p.misfits ? `; ${p.misfits} value(s) do not fit (those records would be quarantined)` : '') + '.'),
    ...targetProblems.map((p) => `target: ${p}`),
  ];
  return { connection: row, mappings, perMapping, targetProblems, lines };
}

/** The target's definitions of its custom attributes, when its connector publishes them (null: it does not). */
async function attributeDefinitionsOf(sctx: ServiceContext, row: Connection): Promise<readonly TargetAttributeDefinition[] | null> {
  const read = isTargetName(row.target) ? CONNECTORS[row.target].attributeDefinitions : undefined;
  if (!read) return null;
  const dispatcher = createDispatcher(1);
  try {
    return await read({
      baseUrl: validateTargetUrl(row.targetUrl, allowedHostsFor(sctx.env.LUCCA_ALLOWED_HOSTS, row)),
      apiKey: sctx.cipher.decrypt(row.targetKeyEnc), dispatcher,
    });
  } catch (err) {
    if (err instanceof SyncError) throw new ServiceError('refused', err.message);
    throw err;
  } finally {
    await dispatcher.close();
  }
}

/** Each mapping's target against the target's definitions: unknown attribute, other type, enum values it would refuse. */
export function checkAgainst(mappings: readonly FieldMapping[], definitions: readonly TargetAttributeDefinition[]): string[] {
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const problems: string[] = [];
  for (const m of mappings) {
    const def = byKey.get(m.target);
    if (!def) {
      problems.push(`attribute ${m.target} is not defined on the target (known: ${[...byKey.keys()].join(', ') || 'none'}): create it there first`);
      continue;
    }
    if (def.type !== m.type) problems.push(`attribute ${m.target} is of type ${def.type} on the target, the mapping says ${m.type}`);
    else if (m.type === 'enum') {
      const refused = (m.values ?? []).filter((v) => !(def.values ?? []).includes(v));
      if (refused.length) problems.push(`attribute ${m.target} does not accept ${refused.join(', ')} on the target`);
    }
  }
  return problems;
}

/** Saves previewed mappings, audited; refused while the target disagrees with them. */
export async function applyMappings(sctx: ServiceContext, preview: MappingsPreview): Promise<Connection> {
  if (preview.targetProblems.length > 0) {
    throw new ServiceError('refused', `the mappings were not saved: ${preview.targetProblems.join('; ')}.`, 'mappings');
  }
  const row = preview.connection;
  await updateConnectionRow(sctx.db, row.id, { fieldMappings: preview.mappings });
  await recordAudit(sctx.db, {
    actor: sctx.actor, action: 'update', connection: row,
    detail: { changed: ['fieldMappings'], mappings: preview.mappings.map((m) => `${m.source} → ${m.target}`) },
  });
  return { ...row, fieldMappings: preview.mappings };
}

/** The stored scope and mappings, as `connection show` prints them. */
export function describeConfig(row: Connection): { scope: string; mappings: string[] } {
  return {
    scope: describeScope(storedScope(row.scope)),
    mappings: storedMappings(row.fieldMappings).map((m) =>
      `${m.source} → ${m.target} (${m.type}${m.values ? `: ${m.values.join('|')}` : ''}` +
      `${m.transforms.length ? `; ${m.transforms.map((t) => t.kind).join(', ')}` : ''}; policy ${m.policy ?? `${row.defaultPolicy} (default)`})`),
  };
}
