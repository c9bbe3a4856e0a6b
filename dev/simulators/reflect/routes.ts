import {
  ReflectBatchDeleteRequestSchema,
  ReflectBatchUpsertRequestSchema,
  ReflectDatasetSchema,
  ReflectListQuerySchema,
  type ReflectDataset,
} from '../../../activities/targets/reflect/schemas.js';
import { type ApiCall, type Reply, type RouteMatch, apiError } from '../shared/api-kit.js';
import { zodFieldErrors } from '../shared/field-errors.js';
import type { ReflectStore } from './store.js';

/** Endpoint names: the keys of fault switches and of the request counts. */
export type ReflectEndpoint = 'batchUpsert' | 'batchDelete' | 'listRecords';

const invalid = (error: Parameters<typeof zodFieldErrors>[0]): Reply =>
  apiError(422, 'validation_failed', 'The request is invalid', { fields: zodFieldErrors(error) });

/**
 * Routes under /v1/datasets/{dataset}/:
 *   POST records:batchUpsert, POST records:batchDelete, GET records?page=&per_page=
 */
export function matchReflectRoute(method: string, url: URL, store: ReflectStore): RouteMatch {
  const parts = url.pathname.split('/').filter(Boolean);
  const notFound = (message: string): RouteMatch => ({ kind: 'error', reply: apiError(404, 'not_found', message) });
  if (parts.length !== 4 || parts[0] !== 'v1' || parts[1] !== 'datasets') {
    return notFound(`No route ${method} ${url.pathname}`);
  }
  const dataset = ReflectDatasetSchema.safeParse(parts[2]);
  if (!dataset.success) {
    return notFound(`Unknown dataset '${parts[2]}'; expected one of ${ReflectDatasetSchema.options.join(', ')}`);
  }
  const resource = parts[3];
  const expected = resource === 'records' ? 'GET' : 'POST';
  const call = (endpoint: ReflectEndpoint, mutating: boolean, run: ApiCall['run']): RouteMatch =>
    method === expected
      ? { kind: 'call', call: { endpoint, mutating, run } }
      : { kind: 'error', reply: { ...apiError(405, 'method_not_allowed', `Use ${expected}`), headers: { allow: expected } } };

  if (resource === 'records') return call('listRecords', false, () => listRecords(dataset.data, url, store));
  if (resource === 'records:batchUpsert') {
    return call('batchUpsert', true, (body) => batchUpsert(dataset.data, body, store));
  }
  if (resource === 'records:batchDelete') {
    return call('batchDelete', true, (body) => batchDelete(dataset.data, body, store));
  }
  return notFound(`No route ${method} ${url.pathname}`);
}

/** 413 when a batch holds more items than the store's configured maximum (checked before anything else in the body). */
function tooLarge(items: unknown, store: ReflectStore): Reply | null {
  const max = store.maxBatchRecords;
  if (max === null || !Array.isArray(items) || items.length <= max) return null;
  return apiError(413, 'payload_too_large', `The batch holds ${items.length} items; this server takes at most ${max} per request`);
}

const itemsOf = (body: unknown, key: string): unknown => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined);

function batchUpsert(dataset: ReflectDataset, body: unknown, store: ReflectStore): Reply {
  const big = tooLarge(itemsOf(body, 'records'), store);
  if (big) return big;
  const parsed = ReflectBatchUpsertRequestSchema.safeParse(body ?? {}, { reportInput: true });
  if (!parsed.success) return invalid(parsed.error);
  return { status: 200, body: { results: store.upsert(dataset, parsed.data.records) } };
}

function batchDelete(dataset: ReflectDataset, body: unknown, store: ReflectStore): Reply {
  const big = tooLarge(itemsOf(body, 'external_ids'), store);
  if (big) return big;
  const parsed = ReflectBatchDeleteRequestSchema.safeParse(body ?? {}, { reportInput: true });
  if (!parsed.success) return invalid(parsed.error);
  return { status: 200, body: { results: store.delete(dataset, parsed.data.external_ids) } };
}

function listRecords(dataset: ReflectDataset, url: URL, store: ReflectStore): Reply {
  const parsed = ReflectListQuerySchema.safeParse(Object.fromEntries(url.searchParams), { reportInput: true });
  if (!parsed.success) return invalid(parsed.error);
  return { status: 200, body: store.list(dataset, parsed.data.page, parsed.data.per_page) };
}
