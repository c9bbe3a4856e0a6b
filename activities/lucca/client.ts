import type { Dispatcher } from 'undici';
import { SyncError } from '../errors.js';
import { luccaErrorMessage } from '../http/answers.js';
import { send, throwForTransient, unexpectedShape, type HttpResponse } from '../http/http.js';
import type { RateLimiter } from '../http/rate-limiter.js';
import {
  LUCCA_LEAVES_PAGE_LIMIT,
  LUCCA_PAGE_LIMIT,
  LUCCA_V4_PAGE_LIMIT,
  LuccaCollectionSchema,
  LuccaV4ListSchema,
} from './schemas.js';

export interface LuccaClientOptions {
  /** Instance URL, e.g. https://acme.ilucca.net (validated before use). */
  baseUrl: string;
  apiKey: string;
  dispatcher: Dispatcher;
  limiter: RateLimiter;
  /** Called with every HTTP status Lucca answers (metrics). */
  onResponse?: (status: number) => void;
}

export interface UsersPageQuery {
  offset: number;
  limit?: number;
  fields: readonly string[];
  formerEmployees?: boolean;
  modifiedSince?: string;
  /** `dtContractEnd=between,{from},{to}` (plain dates, both included). */
  contractEndBetween?: { from: string; to: string };
  /** `id=1,2,3`: these users only. */
  ids?: string;
  signal?: AbortSignal;
}

export interface LuccaPage {
  items: unknown[];
  count: number | undefined;
}

/** `/api/v3/leaves`: Lucca insists on a date filter and an owner filter; both are always sent. */
export interface LeavesPageQuery {
  offset: number;
  limit?: number;
  fields: readonly string[];
  /** Inclusive date window, `YYYY-MM-DD`. */
  from: string;
  to: string;
  signal?: AbortSignal;
}

export interface ExpenseClaimsPageQuery {
  offset: number;
  limit?: number;
  fields: readonly string[];
  /** `modifiedOn=since,{date-time}` (Europe/Paris local time, no offset). */
  modifiedSince?: string;
  signal?: AbortSignal;
}

/** Pagga v4 paging: 1-based `page`, `limit` ≤ 1000. */
export interface V4PageQuery {
  page: number;
  limit?: number;
  signal?: AbortSignal;
}

export interface LuccaV4Page {
  items: unknown[];
  /** Whether a next page exists (from `next`, else from a full page). */
  hasNext: boolean;
  count: number | undefined;
}

/** The small typed surface of Lucca the connectors use. */
export interface LuccaClient {
  listUsers(query: UsersPageQuery): Promise<LuccaPage>;
  listLeaves(query: LeavesPageQuery): Promise<LuccaPage>;
  listExpenseClaims(query: ExpenseClaimsPageQuery): Promise<LuccaPage>;
  listFixedItems(query: V4PageQuery): Promise<LuccaV4Page>;
  listVariableItems(query: V4PageQuery): Promise<LuccaV4Page>;
  listWorkContracts(query: V4PageQuery): Promise<LuccaV4Page>;
  /** Org lists (scope resolution): legal entities (legal units), establishments, departments. */
  listLegalUnits(query: V4PageQuery): Promise<LuccaV4Page>;
  listEstablishments(query: V4PageQuery): Promise<LuccaV4Page>;
  listDepartments(query: { offset: number; limit?: number; signal?: AbortSignal }): Promise<LuccaPage>;
}

export function createLuccaClient(options: LuccaClientOptions): LuccaClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const bucket = `lucca:${new URL(base).host}${new URL(base).pathname}`;

  async function get(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    await options.limiter.acquire(bucket, signal);
    const url = `${base}${path}?${new URLSearchParams(params).toString()}`;
    const res = await send(options.dispatcher, 'lucca', {
      method: 'GET',
      url,
      headers: { authorization: `lucca application=${options.apiKey}` },
      ...(signal && { signal }),
    });
    options.onResponse?.(res.status);
    throwForTransient('lucca', res);
    throwForAccess(res, path);
    throwForRefusal(res, path);
    if (res.status !== 200) {
      throw new SyncError('lucca_unexpected_status', `Lucca answered ${res.status} on ${path}.`, false);
    }
    return res;
  }

  /** One v3 collection page; a body without the envelope (a changed API, a proxy's JSON) fails after a few attempts. */
  async function v3Page(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<LuccaPage> {
    const res = await get(path, params, signal);
    const parsed = LuccaCollectionSchema.safeParse(res.body);
    if (!parsed.success) throw unexpectedShape('lucca', 'GET', path, res, 'the {header, data: {items}} envelope', 'lucca_bad_envelope');
    return { items: parsed.data.data.items ?? [], count: parsed.data.data.count };
  }

  /** One v4 page (`{items, next, count}`; `root` is what `fields.root` may ask for on that resource). */
  async function v4Page(path: string, query: V4PageQuery, root = 'next,count'): Promise<LuccaV4Page> {
    const limit = query.limit ?? LUCCA_V4_PAGE_LIMIT;
    const res = await get(path, { page: String(query.page), limit: String(limit), 'fields.root': root }, query.signal);
    const parsed = LuccaV4ListSchema.safeParse(res.body);
    if (!parsed.success) throw unexpectedShape('lucca', 'GET', path, res, 'the {items} envelope', 'lucca_bad_envelope');
    const { items, next, count } = parsed.data;
    return { items, hasNext: next === undefined ? items.length >= limit : next !== null, count };
  }

  return {
    // https://developers.lucca.fr/api-reference/legacy/directory/list-users
    async listUsers(query) {
      const limit = query.limit ?? LUCCA_PAGE_LIMIT;
      const params: Record<string, string> = {
        fields: [...query.fields, 'collection.count'].join(','),
        paging: `${query.offset},${limit}`,
        orderBy: 'id,asc',
      };
      if (query.formerEmployees) params.formerEmployees = 'true';
      if (query.modifiedSince) params.modifiedAt = `since,${query.modifiedSince}`;
      if (query.contractEndBetween) params.dtContractEnd = `between,${query.contractEndBetween.from},${query.contractEndBetween.to}`;
      if (query.ids) params.id = query.ids;
      return v3Page('/api/v3/users', params, query.signal);
    },

    // https://developers.lucca.fr/api-reference/legacy/timmi-absences/guides/syncing-leaves
    listLeaves(query) {
      return v3Page('/api/v3/leaves', {
        fields: query.fields.join(','),
        paging: `${query.offset},${query.limit ?? LUCCA_LEAVES_PAGE_LIMIT}`,
        date: `between,${query.from},${query.to}`,
        // Every owner: Lucca refuses a leaves query without an owner (or department / legal entity) scope.
        'leavePeriod.ownerId': 'greaterthan,0',
      }, query.signal);
    },

    // https://developers.lucca.fr/api-reference/legacy/cleemy-expenses/expenseclaims/list-expenseclaims
    listExpenseClaims(query) {
      const params: Record<string, string> = {
        fields: query.fields.join(','),
        paging: `${query.offset},${query.limit ?? LUCCA_PAGE_LIMIT}`,
        orderBy: 'id,asc',
      };
      if (query.modifiedSince) params.modifiedOn = `since,${query.modifiedSince}`;
      return v3Page('/api/v3/expenseClaims', params, query.signal);
    },

    // https://developers.lucca.fr/api-reference/legacy/pagga-remuneration/fixed-items/list-fixed-items
    listFixedItems: (query) => v4Page('/remuneration/api/fixed-items', query),
    // https://developers.lucca.fr/api-reference/legacy/pagga-remuneration/variable-items/list-variable-items
    // Deleted variable items come back only with `IncludeDeleted=true`, which is not sent: compensation
    // is read whole on every run, so an item Lucca no longer returns is deleted from Reflect.
    listVariableItems: (query) => v4Page('/remuneration/api/variable-items', query),
    // https://developers.lucca.fr/api-reference/legacy/directory/get-work-contracts (`fields.root` takes only `count`;
    // no `next`: a full page means there may be another)
    listWorkContracts: (query) => v4Page('/directory/api/4.0/work-contracts', query, 'count'),
    // Organisation structure (lumapps/tap-lucca-legacy: legal-units, establishments; v3 departments)
    listLegalUnits: (query) => v4Page('/organization/structure/api/legal-units', query, 'count'),
    listEstablishments: (query) => v4Page('/organization/structure/api/establishments', query, 'count'),
    listDepartments: (query) => v3Page('/api/v3/departments', {
      fields: 'id,name', paging: `${query.offset},${query.limit ?? LUCCA_PAGE_LIMIT}`,
    }, query.signal),
  };
}

function throwForAccess(res: HttpResponse, path: string): void {
  if (res.status === 401) {
    throw new SyncError(
      'lucca_unauthorized',
      'Lucca refused the API key (401): it is wrong, expired or revoked. Generate a new key in Lucca ' +
        '(Settings › Authentication, SSO and API › API keys, or install the pre-configured key from the ' +
        'Integrations marketplace), then update the connection: lucca-sync connection update <name> --lucca-key <new key>.',
      false,
    );
  }
  if (res.status === 403) {
    throw new SyncError(
      'lucca_forbidden',
      `Lucca denied access to ${path} (403): the API key's role lacks the permission for it. In Lucca, ` +
        "open the key's role (Organization › Roles) and grant it, then run the sync again.",
      false,
    );
  }
  if (res.status === 404) {
    throw new SyncError(
      'lucca_unknown_instance',
      `Lucca answered 404 on ${path}: the instance URL is wrong or the instance does not exist. Check the connection's Lucca URL.`,
      false,
    );
  }
}

/**
 * Any other 4xx: Lucca refused the request itself (an unknown field, a bad filter). Retrying sends
 * the same request, so it is not retried; Lucca's own message, which names the faulty parameter, is
 * kept (sanitised, capped).
 */
function throwForRefusal(res: HttpResponse, path: string): void {
  if (res.status < 400 || res.status >= 500) return;
  const said = luccaErrorMessage(res.body, res.errorText);
  const lucca = said ? ` Lucca says: "${said}"` : ' Lucca gave no reason.';
  if (res.status === 400) {
    throw new SyncError(
      'lucca_bad_request',
      `Lucca refused the request to ${path} (400).${lucca} The connector asked for something this Lucca instance does not accept: ` +
        'report this message to the connector maintainers; retrying cannot help.',
      false,
    );
  }
  throw new SyncError('lucca_unexpected_status', `Lucca answered ${res.status} on ${path}.${lucca}`, false);
}
