import { listLeaveRequests, listLeaves } from './absences.js';
import { v3Collection, type RequestContext } from './context.js';
import { listExpenseClaims } from './expenses.js';
import { parseFields, project } from './fields.js';
import { parsePaging } from './filters.js';
import { badRequest } from './http-error.js';
import { listFixedItems, listVariableItems, listWorkContracts } from './remuneration.js';
import type { Module } from './roles.js';
import { getUser, listUsers } from './users.js';

/** Endpoint names double as fault-injection keys and stats keys. */
export type EndpointName =
  | 'users' | 'user' | 'departments' | 'legalUnits' | 'establishments' | 'leaves' | 'leaveRequests' | 'expenseClaims' | 'fixedItems' | 'variableItems' | 'workContracts';

export interface Endpoint {
  name: EndpointName;
  pattern: RegExp;
  module?: Module;
  handle(ctx: RequestContext): unknown;
}

/** Paths are matched case-insensitively, as ASP.NET does. */
export const ENDPOINTS: readonly Endpoint[] = [
  { name: 'users', pattern: /^\/api\/v3\/users\/?$/i, handle: listUsers },
  { name: 'user', pattern: /^\/api\/v3\/users\/(?<id>[^/]+)\/?$/i, handle: getUser },
  { name: 'departments', pattern: /^\/api\/v3\/departments\/?$/i, handle: listDepartments },
  { name: 'legalUnits', pattern: /^\/organization\/structure\/api\/legal-units\/?$/i, handle: listLegalUnits },
  { name: 'establishments', pattern: /^\/organization\/structure\/api\/establishments\/?$/i, handle: listEstablishments },
  { name: 'leaves', pattern: /^\/api\/v3\/leaves\/?$/i, module: 'leaves', handle: listLeaves },
  { name: 'leaveRequests', pattern: /^\/api\/v3\/leaveRequests\/?$/i, module: 'leaves', handle: listLeaveRequests },
  { name: 'expenseClaims', pattern: /^\/api\/v3\/expenseClaims\/?$/i, module: 'expenses', handle: listExpenseClaims },
  { name: 'fixedItems', pattern: /^\/remuneration\/api\/fixed-items\/?$/i, module: 'pagga', handle: listFixedItems },
  { name: 'variableItems', pattern: /^\/remuneration\/api\/variable-items\/?$/i, module: 'pagga', handle: listVariableItems },
  { name: 'workContracts', pattern: /^\/directory\/api\/4\.0\/work-contracts\/?$/i, handle: listWorkContracts },
];

export function matchEndpoint(path: string): { endpoint: Endpoint; params: Record<string, string> } | null {
  for (const endpoint of ENDPOINTS) {
    const match = endpoint.pattern.exec(path);
    if (match) return { endpoint, params: { ...match.groups } };
  }
  return null;
}

/** GET /api/v3/departments: `{id, name, url}` by default, `collection.count` supported. */
function listDepartments(ctx: RequestContext): unknown {
  const fields = parseFields(ctx.query.get('fields'), 'id,name,url');
  const { offset, limit } = parsePaging(ctx.query.get('paging'), 1000);
  const all = ctx.company.departments.map((d) => ({ id: d.id, name: d.name, url: `${ctx.instance.url}/api/v3/departments/${d.id}` }));
  const items = fields.tree.size > 0 || !fields.count ? all.slice(offset, offset + limit).map((d) => project(d, fields.tree)) : null;
  return v3Collection(ctx, items, fields.count ? all.length : null);
}

/**
 * v4 org lists (`/organization/structure/api/legal-units` and `/establishments`, as lumapps/tap-lucca-legacy
 * reads them): `{ items, count }`, `page` (1-based) and `limit` (≤ 1000). A v3 user's `legalEntityId` is, in
 * Lucca's words, the "establishment this employee works for", and a v4 work contract's `establishmentId` is
 * the same id; here each legal unit has one establishment with the same id (the work contracts say so too).
 */
function listLegalUnits(ctx: RequestContext): unknown {
  return orgPage(ctx, ctx.company.legalEntities.map((l) => ({ id: l.id, name: l.name, code: l.code, url: `${ctx.instance.url}/organization/structure/api/legal-units/${l.id}` })));
}

function listEstablishments(ctx: RequestContext): unknown {
  return orgPage(ctx, ctx.company.legalEntities.map((l) => ({
    id: l.id, name: `${l.name} – siège`, legalUnitId: l.id, code: l.code, url: `${ctx.instance.url}/organization/structure/api/establishments/${l.id}`,
  })));
}

function orgPage(ctx: RequestContext, all: Record<string, unknown>[]): unknown {
  const page = ctx.query.get('page') === undefined ? 1 : Number(ctx.query.get('page'));
  const limit = ctx.query.get('limit') === undefined ? 1000 : Number(ctx.query.get('limit'));
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw badRequest('page must be a positive integer and limit between 1 and 1000');
  }
  return { items: all.slice((page - 1) * limit, page * limit), count: all.length };
}

const HOST = /^(?<name>[a-z0-9-]+)\.(?:ilucca|ilucca-test|ilucca-demo)\.(?:net|ch)(?::\d+)?$/i;
const SANDBOX_HOST = /^(?<name>[a-z0-9-]+)\.sandbox\.[a-z0-9]+\.luccasoftware\.com(?::\d+)?$/i;

/**
 * Which instance a request is for: the base path `/t/<name>/…` first (loopback has no tenant
 * subdomains), else the Host header (`acme.ilucca.net`, `acme-test.sandbox.eu1.luccasoftware.com`).
 */
export function routeInstance(pathname: string, host: string | undefined): { name: string; path: string } | null {
  const byPath = /^\/t\/(?<name>[^/]+)(?<rest>\/.*)?$/.exec(pathname);
  if (byPath?.groups?.name) return { name: decodeURIComponent(byPath.groups.name), path: byPath.groups.rest ?? '/' };
  const byHost = HOST.exec(host ?? '') ?? SANDBOX_HOST.exec(host ?? '');
  if (byHost?.groups?.name) return { name: byHost.groups.name.toLowerCase(), path: pathname };
  return null;
}
