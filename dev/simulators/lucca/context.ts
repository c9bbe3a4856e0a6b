import { isFormer, isFuture, type Company } from '../data/company.js';
import { luccaDateTime } from '../data/dates.js';
import type { Department, LegalEntity, LuccaUser } from '../data/types.js';
import type { Query } from './query.js';
import type { ResolvedKey, Role } from './roles.js';

/** One simulated tenant: its data, its keys, and the URL clients use for it. */
export interface LuccaInstance {
  name: string;
  company: Company;
  keys: Map<string, ResolvedKey>;
  /** `${simulatorUrl}/t/<name>`; API paths go under it (`/api/v3/users`). */
  url: string;
}

export interface RequestContext {
  instance: LuccaInstance;
  company: Company;
  key: ResolvedKey;
  role: Role;
  query: Query;
  /** Path below the instance URL, e.g. `/remuneration/api/fixed-items`. */
  path: string;
  params: Record<string, string>;
  /** The model clock's today, fixed for the request. */
  today: string;
  processId: number;
}

/** Whether the key's role lets it see this person at all (silent filtering, never an error). */
export function visibleTo(ctx: RequestContext, user: LuccaUser): boolean {
  if (!ctx.role.seeFormer && isFormer(user, ctx.today)) return false;
  if (!ctx.role.seeFuture && isFuture(user, ctx.today)) return false;
  return true;
}

/** The v3 envelope: `{ header: { generated, principal, processId }, data }`. */
export function v3Envelope(ctx: RequestContext, data: unknown): unknown {
  return {
    header: { generated: luccaDateTime(Date.now()), principal: ctx.key.name, processId: ctx.processId },
    data,
  };
}

export function v3Collection(ctx: RequestContext, items: unknown[] | null, count: number | null): unknown {
  const data: Record<string, unknown> = {};
  if (items !== null) data.items = items;
  if (count !== null) data.count = count;
  return v3Envelope(ctx, data);
}

export function ref(ctx: RequestContext, kind: string, id: number | string, name: string): { id: number | string; name: string; url: string } {
  return { id, name, url: `${ctx.instance.url}/api/v3/${kind}/${id}` };
}

const orgCache = new WeakMap<readonly Department[], { departments: Map<number, Department>; legalEntities: Map<number, LegalEntity> }>();

/** Departments and legal entities by id (cached per company; both lists are fixed at generation). */
export function orgIndex(company: Company): { departments: Map<number, Department>; legalEntities: Map<number, LegalEntity> } {
  let index = orgCache.get(company.departments);
  if (!index) {
    index = {
      departments: new Map(company.departments.map((d) => [d.id, d])),
      legalEntities: new Map(company.legalEntities.map((l) => [l.id, l])),
    };
    orgCache.set(company.departments, index);
  }
  return index;
}
