import {
  HappyPalCreateUserInputSchema,
  HappyPalListUsersQuerySchema,
  HappyPalUpdateUserInputSchema,
} from '../../../activities/targets/happypal/schemas.js';
import { type ApiCall, type Reply, type RouteMatch, apiError } from '../shared/api-kit.js';
import { zodFieldErrors } from '../shared/field-errors.js';
import type { HappyPalStore, StoreResult } from './store.js';

/** Endpoint names: the keys of fault switches and of the request counts. */
export type HappyPalEndpoint =
  | 'listUsers'
  | 'getUser'
  | 'createUser'
  | 'updateUser'
  | 'deactivateUser'
  | 'reactivateUser'
  | 'listCustomAttributes';

const invalid = (error: Parameters<typeof zodFieldErrors>[0]): Reply =>
  apiError(422, 'validation_failed', 'The request is invalid', { fields: zodFieldErrors(error) });

const fromStore = (result: StoreResult, okStatus = 200): Reply =>
  result.ok ? { status: okStatus, body: result.user } : { status: result.status, body: result.body };

const call = (endpoint: HappyPalEndpoint, mutating: boolean, run: ApiCall['run']): RouteMatch => ({
  kind: 'call',
  call: { endpoint, mutating, run },
});

/** Maps method + path under /v1 to an endpoint of the HappyPal product API. */
export function matchHappyPalRoute(method: string, url: URL, store: HappyPalStore): RouteMatch {
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] === 'v1' && parts[1] === 'custom-attributes' && parts.length === 2) {
    if (method !== 'GET') return { kind: 'error', reply: { ...apiError(405, 'method_not_allowed', 'Use GET'), headers: { allow: 'GET' } } };
    return call('listCustomAttributes', false, () => ({ status: 200, body: { data: [...store.attributes.values()] } }));
  }
  if (parts[0] !== 'v1' || parts[1] !== 'users' || parts.length > 4) {
    return { kind: 'error', reply: apiError(404, 'not_found', `No route ${method} ${url.pathname}`) };
  }
  const id = parts[2] === undefined ? undefined : decodeURIComponent(parts[2]);
  const action = parts[3];
  const methodNotAllowed = (allowed: string): RouteMatch => ({
    kind: 'error',
    reply: { ...apiError(405, 'method_not_allowed', `Use ${allowed}`), headers: { allow: allowed } },
  });

  if (id === undefined) {
    if (method === 'GET') return call('listUsers', false, () => listUsers(url, store));
    if (method === 'POST') return call('createUser', true, (body) => createUser(body, store));
    return methodNotAllowed('GET, POST');
  }
  if (action === undefined) {
    if (method === 'GET') {
      return call('getUser', false, () => {
        const user = store.users.get(id);
        return user ? { status: 200, body: user } : apiError(404, 'not_found', `No user ${id}`);
      });
    }
    if (method === 'PATCH') return call('updateUser', true, (body) => updateUser(id, body, store));
    return methodNotAllowed('GET, PATCH');
  }
  if (action !== 'deactivate' && action !== 'reactivate') {
    return { kind: 'error', reply: apiError(404, 'not_found', `No route ${method} ${url.pathname}`) };
  }
  if (method !== 'POST') return methodNotAllowed('POST');
  const endpoint = action === 'deactivate' ? 'deactivateUser' : 'reactivateUser';
  const status = action === 'deactivate' ? 'inactive' : 'active';
  return call(endpoint, true, () => fromStore(store.setStatus(id, status)));
}

function listUsers(url: URL, store: HappyPalStore): Reply {
  const parsed = HappyPalListUsersQuerySchema.safeParse(Object.fromEntries(url.searchParams), {
    reportInput: true,
  });
  if (!parsed.success) return invalid(parsed.error);
  return { status: 200, body: store.list(parsed.data) };
}

function createUser(body: unknown, store: HappyPalStore): Reply {
  const parsed = HappyPalCreateUserInputSchema.safeParse(body ?? {}, { reportInput: true });
  if (!parsed.success) return invalid(parsed.error);
  return fromStore(store.create(parsed.data), 201);
}

function updateUser(id: string, body: unknown, store: HappyPalStore): Reply {
  if (!store.users.has(id)) return apiError(404, 'not_found', `No user ${id}`);
  const parsed = HappyPalUpdateUserInputSchema.safeParse(body ?? {}, { reportInput: true });
  if (!parsed.success) return invalid(parsed.error);
  return fromStore(store.update(id, parsed.data));
}
