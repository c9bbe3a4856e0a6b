import { z } from 'zod';
import {
  type ReflectAdminState,
  type ReflectDataset,
  type ReflectStoredRecord,
  ReflectDatasetSchema,
  type ReflectAttributeDefinition,
  ReflectAttributeDefinitionSchema,
} from '../../../activities/targets/reflect/schemas.js';
import { parseAdmin } from '../shared/admin-kit.js';
import type { Reply, RequestCounter } from '../shared/api-kit.js';
import type { IdempotencyStore } from '../shared/idempotency.js';
import type { ReflectStore } from './store.js';

/** POST /_admin/reject: make upserts of one record fail (reason), or lift the switch (null). */
export const ReflectRejectInputSchema = z.strictObject({
  dataset: ReflectDatasetSchema,
  external_id: z.string().min(1),
  reason: z.string().min(1).nullable(),
});
export type ReflectRejectInput = z.infer<typeof ReflectRejectInputSchema>;

/** POST /_admin/max-batch: batches above `records` answer 413; null lifts it. */
export const ReflectMaxBatchInputSchema = z.strictObject({ records: z.number().int().min(1).nullable() });

/** Direct, in-process access to the simulator for tests (same effects as the /_admin routes). */
export interface ReflectState {
  readonly store: ReflectStore;
  records(dataset: ReflectDataset): ReflectStoredRecord[];
  reject(dataset: ReflectDataset, externalId: string, reason: string | null): void;
  /** Batches of more than `records` items answer 413 (null: no limit below the 500 cap). */
  setMaxBatch(records: number | null): void;
  /** Defines the account's custom employee attributes (replaces the list). */
  defineAttributes(definitions: ReflectAttributeDefinition[]): void;
  dump(): ReflectAdminState;
}

export function createReflectState(
  store: ReflectStore,
  counter: RequestCounter,
  idempotency: IdempotencyStore,
): ReflectState {
  return {
    store,
    records: (dataset) => store.all(dataset),
    reject(dataset, externalId, reason) {
      if (reason === null) store.rejects.delete(`${dataset}/${externalId}`);
      else store.rejects.set(`${dataset}/${externalId}`, reason);
    },
    setMaxBatch(records) {
      store.maxBatchRecords = records;
    },
    defineAttributes(definitions) {
      store.attributes.clear();
      for (const d of definitions) store.attributes.set(d.key, d);
    },
    dump: () => ({
      datasets: {
        employees: store.all('employees'),
        compensation: store.all('compensation'),
        absences: store.all('absences'),
        expenses: store.all('expenses'),
      },
      requestCounts: counter.snapshot(),
      idempotencyReplays: idempotency.replays,
    }),
  };
}

/** Reflect-specific admin routes: GET /_admin/state, POST /_admin/reject, POST /_admin/max-batch. */
export function reflectAdminRoutes(state: ReflectState) {
  return (method: string, parts: string[], body: unknown): Reply | null => {
    const route = parts.join('/');
    if (method === 'GET' && route === 'state') return { status: 200, body: state.dump() };
    if (method === 'POST' && route === 'reject') {
      const parsed = parseAdmin(ReflectRejectInputSchema, body);
      if (!parsed.ok) return parsed.reply;
      state.reject(parsed.data.dataset, parsed.data.external_id, parsed.data.reason);
      return { status: 200, body: { rejects: Object.fromEntries(state.store.rejects) } };
    }
    if (method === 'POST' && route === 'custom-attributes') {
      const parsed = parseAdmin(z.object({ data: z.array(ReflectAttributeDefinitionSchema) }), body);
      if (!parsed.ok) return parsed.reply;
      state.defineAttributes(parsed.data.data);
      return { status: 200, body: { data: [...state.store.attributes.values()] } };
    }
    if (method === 'POST' && route === 'max-batch') {
      const parsed = parseAdmin(ReflectMaxBatchInputSchema, body);
      if (!parsed.ok) return parsed.reply;
      state.setMaxBatch(parsed.data.records);
      return { status: 200, body: { maxBatchRecords: state.store.maxBatchRecords } };
    }
    return null;
  };
}
