import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { SyncError } from '../../errors.js';
import { unexpectedShape, type HttpResponse } from '../../http/http.js';
import type { RateLimiter } from '../../http/rate-limiter.js';
import { targetApi, type TargetRequest } from '../../http/target-api.js';
import {
  REFLECT_MAX_BATCH,
  ReflectBatchDeleteResponseSchema,
  ReflectBatchUpsertResponseSchema,
  ReflectErrorBodySchema,
  reflectListResponseSchema,
  type ReflectDataset,
  type ReflectDeleteResult,
  type ReflectRecordInputOf,
  type ReflectUpsertResult,
} from './schemas.js';

export type ReflectListPage<D extends ReflectDataset> = z.infer<ReturnType<typeof reflectListResponseSchema<D>>>;

/**
 * The typed surface of Reflect's ingestion API (docs/reflect-api.md). Every write carries an
 * Idempotency-Key. Per-record rejections come back inside a 200 and are the caller's to report;
 * transport faults, 429 and 5xx are retryable SyncErrors; a refused key or a request Reflect
 * refuses whole (our bug) stops the run.
 */
export interface ReflectClient {
  batchUpsert<D extends ReflectDataset>(
    dataset: D, records: ReflectRecordInputOf<D>[], idempotencyKey: string, signal?: AbortSignal,
  ): Promise<ReflectUpsertResult[]>;
  batchDelete(dataset: ReflectDataset, externalIds: string[], idempotencyKey: string, signal?: AbortSignal): Promise<ReflectDeleteResult[]>;
  listRecords<D extends ReflectDataset>(dataset: D, page: number, perPage: number, signal?: AbortSignal): Promise<ReflectListPage<D>>;
}

export function createReflectClient(options: {
  baseUrl: string;
  apiKey: string;
  dispatcher: Dispatcher;
  /** The write budget of the target host, shared by every worker and connection (TARGET_WRITES_PER_MINUTE). */
  writeLimiter?: RateLimiter;
}): ReflectClient {
  const api = targetApi({ ...options, target: 'reflect', checkKey: "Check the connection's Reflect key with your Reflect contact and update it." });
  const { writeBucket } = api;
  const call = async (req: TargetRequest, idempotencyKey?: string): Promise<HttpResponse> => {
    const res = await api.call(req, idempotencyKey);
    if (res.status === 413) {
      // The caller splits the batch (activities/targets/reflect/apply.ts); the code says so.
      throw new SyncError('reflect_batch_too_large', `Reflect refused the request to ${req.path} as too large (413).`, false);
    }
    if (res.status !== 200) {
      const body = ReflectErrorBodySchema.safeParse(res.body);
      const code = body.success ? body.data.error.code : `http_${res.status}`;
      const fields = body.success && body.data.error.fields ? ` (fields: ${Object.keys(body.data.error.fields).join(', ')})` : '';
      throw new SyncError('reflect_request_refused', `Reflect refused the request to ${req.path} (${res.status} ${code})${fields}.`, false);
    }
    return res;
  };
  const path = (dataset: ReflectDataset, resource: string) => `/v1/datasets/${encodeURIComponent(dataset)}/${resource}`;
  const checkSize = (n: number) => {
    if (n < 1 || n > REFLECT_MAX_BATCH) throw new RangeError(`A Reflect batch holds 1 to ${REFLECT_MAX_BATCH} items, not ${n}.`);
  };
  const badResponse = (method: string, at: string, res: HttpResponse, expected: string) => unexpectedShape('reflect', method, at, res, expected);
  /**
   * A well-formed answer that does not match the batch (fewer or more results, indexes or ids that do
   * not cover what was sent) is not a passing fault: retrying sends the same batch again. The run
   * fails with counts only (never values); what the batch wrote is re-sent by the next run, idempotently.
   */
  const mismatch = (what: string, sent: number, results: number, covered: number) =>
    new SyncError(
      'reflect_batch_mismatch',
      `Reflect answered a batch ${what} of ${sent} with ${results} result(s) covering ${covered} of them; the answer does not match the batch, ` +
        'so nothing of it was recorded and it is not retried. Report it to Reflect with the run id; the next run sends these records again.',
      false,
    );

  return {
    async batchUpsert(dataset, records, idempotencyKey, signal) {
      checkSize(records.length);
      const at = path(dataset, 'records:batchUpsert');
      await options.writeLimiter?.acquire(writeBucket, signal);
      const res = await call({ method: 'POST', path: at, json: { records }, ...(signal && { signal }) }, idempotencyKey);
      const parsed = ReflectBatchUpsertResponseSchema.safeParse(res.body);
      if (!parsed.success) throw badResponse('POST', at, res, `${records.length} upsert results`);
      const { results } = parsed.data;
      const covered = new Set(results.map((r) => r.index).filter((i) => i >= 0 && i < records.length)).size;
      if (results.length !== records.length || covered !== records.length) throw mismatch('upsert of records', records.length, results.length, covered);
      return [...results].sort((a, b) => a.index - b.index);
    },
    async batchDelete(dataset, externalIds, idempotencyKey, signal) {
      checkSize(externalIds.length);
      const at = path(dataset, 'records:batchDelete');
      await options.writeLimiter?.acquire(writeBucket, signal);
      const res = await call({ method: 'POST', path: at, json: { external_ids: externalIds }, ...(signal && { signal }) }, idempotencyKey);
      const parsed = ReflectBatchDeleteResponseSchema.safeParse(res.body);
      if (!parsed.success) throw badResponse('POST', at, res, `${externalIds.length} delete results`);
      const { results } = parsed.data;
      const sent = new Set(externalIds);
      const covered = new Set(results.map((r) => r.external_id).filter((id) => sent.has(id))).size;
      if (results.length !== externalIds.length || covered !== sent.size) throw mismatch('delete of ids', externalIds.length, results.length, covered);
      return results;
    },
    async listRecords(dataset, page, perPage, signal) {
      const at = path(dataset, 'records');
      const res = await call({ method: 'GET', path: `${at}?page=${page}&per_page=${perPage}`, ...(signal && { signal }) });
      const parsed = reflectListResponseSchema(dataset).safeParse(res.body);
      if (!parsed.success) throw badResponse('GET', at, res, 'a records page');
      return parsed.data;
    },
  };
}
