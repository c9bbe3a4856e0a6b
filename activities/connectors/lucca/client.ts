import type { Dispatcher } from 'undici';
import { SyncError } from '../../errors.js';
import { send, throwForTransient, type HttpResponse } from '../http.js';
import type { RateLimiter } from '../rate-limiter.js';
import { LUCCA_PAGE_LIMIT, LuccaCollectionSchema } from './schemas.js';

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
  signal?: AbortSignal;
}

export interface LuccaPage {
  items: unknown[];
  count: number | undefined;
}

/** The small typed surface of Lucca the connectors use. */
export interface LuccaClient {
  listUsers(query: UsersPageQuery): Promise<LuccaPage>;
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
    if (res.status !== 200) {
      throw new SyncError('lucca_unexpected_status', `Lucca answered ${res.status} on ${path}.`, false);
    }
    return res;
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
      const res = await get('/api/v3/users', params, query.signal);
      const parsed = LuccaCollectionSchema.safeParse(res.body);
      if (!parsed.success) {
        throw new SyncError('lucca_bad_envelope', 'Lucca sent a users page without the {header, data: {items}} envelope; will retry.', true);
      }
      return { items: parsed.data.data.items ?? [], count: parsed.data.data.count };
    },
  };
}

function throwForAccess(res: HttpResponse, path: string): void {
  if (res.status === 401) {
    throw new SyncError(
      'lucca_unauthorized',
      'Lucca refused the API key (401): it is wrong, expired or revoked. Generate a new key in Lucca ' +
        '(Settings › Authentication, SSO and API › API keys, or install the pre-configured key from the ' +
        'Integrations marketplace) and update the connection.',
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
