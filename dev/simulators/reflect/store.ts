import {
  type ReflectDataset,
  type ReflectDeleteResult,
  type ReflectStoredRecord,
  type ReflectUpsertResult,
  ReflectDatasetSchema,
  reflectRecordSchemas,
  type ReflectAttributeDefinition,
} from '../../../activities/targets/reflect/schemas.js';
import { checkCustomAttributes } from '../shared/custom-attributes.js';
import { type FieldErrors, zodFieldErrors } from '../shared/field-errors.js';
import { canonicalJson } from '../shared/idempotency.js';

interface Entry {
  record: Record<string, unknown>;
  /** canonicalJson(record), to tell `updated` from `unchanged` cheaply. */
  canonical: string;
  created_at: string;
  updated_at: string;
}

class DatasetTable {
  readonly entries = new Map<string, Entry>();
  /** external_ids in ascending order; rebuilt lazily after a create or delete. */
  private sorted: string[] | null = null;

  ids(): string[] {
    this.sorted ??= [...this.entries.keys()].sort();
    return this.sorted;
  }

  invalidate(): void {
    this.sorted = null;
  }
}

export interface ReflectPage {
  data: ReflectStoredRecord[];
  meta: { page: number; per_page: number; total: number; next_page: number | null };
}

const toStored = (e: Entry): ReflectStoredRecord => ({ ...e.record, created_at: e.created_at, updated_at: e.updated_at });

/** Reflect's datasets in memory: one table per dataset, keyed by external_id. */
export class ReflectStore {
  private tables = new Map<ReflectDataset, DatasetTable>(
    ReflectDatasetSchema.options.map((d) => [d, new DatasetTable()]),
  );
  /** The account's custom attributes of employees, by key (validated on every employees upsert). */
  readonly attributes = new Map<string, ReflectAttributeDefinition>();
  /** Test switch: `${dataset}/${external_id}` → reason; such records are rejected on upsert. */
  readonly rejects = new Map<string, string>();
  /** Batches of more records (or ids) than this are refused whole with 413; null: only the 500 cap. */
  maxBatchRecords: number | null;

  constructor(private readonly now: () => Date = () => new Date(), private readonly startMaxBatch: number | null = null) {
    this.maxBatchRecords = startMaxBatch;
  }

  /** Validates and applies each record on its own; a bad record never fails the batch. */
  upsert(dataset: ReflectDataset, records: Record<string, unknown>[]): ReflectUpsertResult[] {
    const table = this.table(dataset);
    const seen = new Set<string>();
    const at = this.now().toISOString();
    return records.map((raw, index): ReflectUpsertResult => {
      const rawId = typeof raw.external_id === 'string' ? raw.external_id.trim() : '';
      const external_id = rawId === '' ? null : rawId;
      const reject = (errors: FieldErrors): ReflectUpsertResult => ({ index, external_id, status: 'rejected', errors });
      if (external_id !== null && seen.has(external_id)) {
        return reject({ external_id: ['appears more than once in this batch'] });
      }
      if (external_id !== null) seen.add(external_id);
      const parsed = reflectRecordSchemas[dataset].safeParse(raw, { reportInput: true });
      if (!parsed.success) return reject(zodFieldErrors(parsed.error, 'record'));
      const record = parsed.data as Record<string, unknown>;
      const attributes = dataset === 'employees' ? checkCustomAttributes(this.attributes, (record.custom_attributes ?? {}) as Record<string, unknown>) : null;
      if (attributes) return reject(attributes);
      const id = String(record.external_id);
      const reason = this.rejects.get(`${dataset}/${id}`);
      if (reason !== undefined) return reject({ record: [reason] });

      const canonical = canonicalJson(record);
      const existing = table.entries.get(id);
      if (existing?.canonical === canonical) return { index, external_id: id, status: 'unchanged' };
      table.entries.set(id, { record, canonical, created_at: existing?.created_at ?? at, updated_at: at });
      if (existing) return { index, external_id: id, status: 'updated' };
      table.invalidate();
      return { index, external_id: id, status: 'created' };
    });
  }

  delete(dataset: ReflectDataset, externalIds: string[]): ReflectDeleteResult[] {
    const table = this.table(dataset);
    const results = externalIds.map((external_id): ReflectDeleteResult => ({
      external_id,
      status: table.entries.delete(external_id) ? 'deleted' : 'not_found',
    }));
    if (results.some((r) => r.status === 'deleted')) table.invalidate();
    return results;
  }

  list(dataset: ReflectDataset, page: number, perPage: number): ReflectPage {
    const table = this.table(dataset);
    const ids = table.ids();
    const start = (page - 1) * perPage;
    const data = ids.slice(start, start + perPage).flatMap((id) => {
      const entry = table.entries.get(id);
      return entry ? [toStored(entry)] : [];
    });
    const next_page = start + perPage < ids.length ? page + 1 : null;
    return { data, meta: { page, per_page: perPage, total: ids.length, next_page } };
  }

  /** All records of a dataset, in external_id order. */
  all(dataset: ReflectDataset): ReflectStoredRecord[] {
    const table = this.table(dataset);
    return table.ids().flatMap((id) => {
      const entry = table.entries.get(id);
      return entry ? [toStored(entry)] : [];
    });
  }

  get(dataset: ReflectDataset, externalId: string): ReflectStoredRecord | undefined {
    const entry = this.table(dataset).entries.get(externalId);
    return entry ? toStored(entry) : undefined;
  }

  reset(): void {
    for (const table of this.tables.values()) {
      table.entries.clear();
      table.invalidate();
    }
    this.rejects.clear();
    this.attributes.clear();
    this.maxBatchRecords = this.startMaxBatch;
  }

  private table(dataset: ReflectDataset): DatasetTable {
    const table = this.tables.get(dataset);
    if (!table) throw new Error(`unknown dataset ${dataset}`);
    return table;
  }
}
