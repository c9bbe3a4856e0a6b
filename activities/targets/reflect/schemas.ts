import { z } from 'zod';
import { TargetPageMetaSchema } from '../page-meta.js';
import { REFLECT_DATASETS, type ReflectDataset } from './target.js';

/**
 * Reflect API v1 payloads (contract: docs/reflect-api.md). Single source of types for the Reflect
 * client and for dev/simulators/reflect. Records are full replacements keyed by `external_id`; optional
 * fields default to null, so an omitted field and an explicit null are the same stored value.
 */

export const ReflectDatasetSchema = z.enum(REFLECT_DATASETS);
export type { ReflectDataset };

export const REFLECT_MAX_BATCH = 500;

const DateSchema = z.iso.date({ error: 'must be a valid date (YYYY-MM-DD)' });
const optionalDate = () => DateSchema.nullable().default(null);
const IdSchema = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const TextSchema = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const optionalText = () => TextSchema.nullable().default(null);
const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code (e.g. EUR)');
const AmountSchema = z.number().finite('must be a finite number');
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/u;

const employeeShape = {
  external_id: IdSchema,
  first_name: TextSchema,
  last_name: TextSchema,
  email: z.string().trim().regex(EMAIL_PATTERN, 'must be a valid email').nullable().default(null),
  birth_date: optionalDate(),
  contract_start: optionalDate(),
  contract_end: optionalDate(),
  department: optionalText(),
  manager_external_id: IdSchema.nullable().default(null),
  employee_number: optionalText(),
  /** Values of the account's custom attributes (docs/reflect-api.md "Custom attributes"); absent = none. */
  custom_attributes: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
};

/** A custom attribute defined on the Reflect account (Settings › Data model › Employee attributes). */
export const ReflectAttributeDefinitionSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _'),
  type: z.enum(['text', 'date', 'number', 'enum']),
  values: z.array(z.string().min(1)).min(1).optional(),
});
export type ReflectAttributeDefinition = z.infer<typeof ReflectAttributeDefinitionSchema>;
export const ReflectEmployeeRecordSchema = z
  .strictObject(employeeShape)
  .superRefine((r, ctx) => {
    if (r.contract_start && r.contract_end && r.contract_end < r.contract_start) {
      ctx.addIssue({ code: 'custom', path: ['contract_end'], message: 'must be on or after contract_start' });
    }
    if (r.manager_external_id !== null && r.manager_external_id === r.external_id) {
      ctx.addIssue({ code: 'custom', path: ['manager_external_id'], message: 'must not be the employee' });
    }
  });
export type ReflectEmployeeRecord = z.infer<typeof ReflectEmployeeRecordSchema>;

/** Every record but the employee's own: its id, and the employee it belongs to. */
const ownedRecord = { external_id: IdSchema, employee_external_id: IdSchema };

const compensationShape = {
  ...ownedRecord,
  kind: z.enum(['fixed', 'variable']),
  category: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an upper-case code (e.g. BASIC_SALARY)'),
  amount: AmountSchema,
  currency: CurrencySchema,
  starts_on: optionalDate(),
  ends_on: optionalDate(),
  period: optionalDate(),
};
export const ReflectCompensationRecordSchema = z
  .strictObject(compensationShape)
  .superRefine((r, ctx) => {
    if (r.kind === 'fixed' && r.starts_on === null) {
      ctx.addIssue({ code: 'custom', path: ['starts_on'], message: 'is required for a fixed item' });
    }
    if (r.kind === 'variable' && r.period === null) {
      ctx.addIssue({ code: 'custom', path: ['period'], message: 'is required for a variable item' });
    }
    if (r.starts_on && r.ends_on && r.ends_on < r.starts_on) {
      ctx.addIssue({ code: 'custom', path: ['ends_on'], message: 'must be on or after starts_on' });
    }
  });
export type ReflectCompensationRecord = z.infer<typeof ReflectCompensationRecordSchema>;

export const ReflectHalfDaySchema = z.enum(['am', 'pm']);
export type ReflectHalfDay = z.infer<typeof ReflectHalfDaySchema>;

/** A period in half-days: from the morning or afternoon of its first day to that of its last. */
const halfDayPeriod = { starts_on: DateSchema, ends_on: DateSchema, start_half: ReflectHalfDaySchema, end_half: ReflectHalfDaySchema };

const absenceShape = {
  ...ownedRecord,
  type: TextSchema,
  ...halfDayPeriod,
  days: AmountSchema.positive('must be positive').multipleOf(0.5, 'must be a multiple of 0.5'),
};
export const ReflectAbsenceRecordSchema = z
  .strictObject(absenceShape)
  .superRefine((r, ctx) => {
    if (r.ends_on < r.starts_on) {
      ctx.addIssue({ code: 'custom', path: ['ends_on'], message: 'must be on or after starts_on' });
    } else if (r.ends_on === r.starts_on && r.start_half === 'pm' && r.end_half === 'am') {
      ctx.addIssue({ code: 'custom', path: ['end_half'], message: 'must not end before it starts' });
    }
  });
export type ReflectAbsenceRecord = z.infer<typeof ReflectAbsenceRecordSchema>;

/** Lucca expense-claim statuses, snake_cased. */
export const ReflectExpenseStatusSchema = z.enum([
  'created', 'partially_approved', 'approved', 'controlled', 'approved_and_controlled', 'payment_initiated', 'paid',
  'refused', 'cancelled',
]);
export type ReflectExpenseStatus = z.infer<typeof ReflectExpenseStatusSchema>;

const expenseShape = {
  ...ownedRecord,
  name: TextSchema,
  declared_on: DateSchema,
  status: ReflectExpenseStatusSchema,
  currency: CurrencySchema,
  amount: AmountSchema.nullable().default(null),
};
export const ReflectExpenseRecordSchema = z.strictObject(expenseShape);
export type ReflectExpenseRecord = z.infer<typeof ReflectExpenseRecordSchema>;

/** Record schema per dataset, as the server validates each record of a batch. */
export const reflectRecordSchemas = {
  employees: ReflectEmployeeRecordSchema,
  compensation: ReflectCompensationRecordSchema,
  absences: ReflectAbsenceRecordSchema,
  expenses: ReflectExpenseRecordSchema,
} as const;
export type ReflectRecordOf<D extends ReflectDataset> = z.infer<(typeof reflectRecordSchemas)[D]>;
export type ReflectRecordInputOf<D extends ReflectDataset> = z.input<(typeof reflectRecordSchemas)[D]>;

/** Envelope only: records are validated one by one and rejected inside a 200. */
export const ReflectBatchUpsertRequestSchema = z.strictObject({
  records: z
    .array(z.record(z.string(), z.unknown(), 'must be an object'), 'must be an array')
    .min(1, 'must hold at least 1 record')
    .max(REFLECT_MAX_BATCH, `must hold at most ${REFLECT_MAX_BATCH} records`),
});
export type ReflectBatchUpsertRequest = z.infer<typeof ReflectBatchUpsertRequestSchema>;
/** What a client sends for one dataset. */
export type ReflectBatchUpsertBody<D extends ReflectDataset> = { records: ReflectRecordInputOf<D>[] };

export const ReflectFieldErrorsSchema = z.record(z.string(), z.array(z.string()));
export type ReflectFieldErrors = z.infer<typeof ReflectFieldErrorsSchema>;

export const ReflectUpsertStatusSchema = z.enum(['created', 'updated', 'unchanged', 'rejected']);
export type ReflectUpsertStatus = z.infer<typeof ReflectUpsertStatusSchema>;

export const ReflectUpsertResultSchema = z.object({
  /** Position in the request's `records`. */
  index: z.number().int(),
  /** Null only when the record had no usable external_id. */
  external_id: z.string().nullable(),
  status: ReflectUpsertStatusSchema,
  errors: ReflectFieldErrorsSchema.optional(),
});
export type ReflectUpsertResult = z.infer<typeof ReflectUpsertResultSchema>;

export const ReflectBatchUpsertResponseSchema = z.object({ results: z.array(ReflectUpsertResultSchema) });
export type ReflectBatchUpsertResponse = z.infer<typeof ReflectBatchUpsertResponseSchema>;

export const ReflectBatchDeleteRequestSchema = z.strictObject({
  external_ids: z
    .array(IdSchema)
    .min(1, 'must hold at least 1 id')
    .max(REFLECT_MAX_BATCH, `must hold at most ${REFLECT_MAX_BATCH} ids`),
});
export type ReflectBatchDeleteRequest = z.infer<typeof ReflectBatchDeleteRequestSchema>;

export const ReflectDeleteResultSchema = z.object({
  external_id: z.string(),
  status: z.enum(['deleted', 'not_found']),
});
export type ReflectDeleteResult = z.infer<typeof ReflectDeleteResultSchema>;

export const ReflectBatchDeleteResponseSchema = z.object({ results: z.array(ReflectDeleteResultSchema) });
export type ReflectBatchDeleteResponse = z.infer<typeof ReflectBatchDeleteResponseSchema>;

/** GET .../records items: the stored record plus server timestamps. */
const meta = { created_at: z.iso.datetime(), updated_at: z.iso.datetime() };
export const reflectListItemSchemas = {
  employees: z.object({ ...employeeShape, ...meta }),
  compensation: z.object({ ...compensationShape, ...meta }),
  absences: z.object({ ...absenceShape, ...meta }),
  expenses: z.object({ ...expenseShape, ...meta }),
} as const;
export type ReflectListItemOf<D extends ReflectDataset> = z.infer<(typeof reflectListItemSchemas)[D]>;
/** Any stored record, as the simulator keeps and lists it. */
export type ReflectStoredRecord = Record<string, unknown> & { created_at: string; updated_at: string };

export const ReflectListQuerySchema = z.object({
  page: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').default(1),
  per_page: z.coerce.number().int('must be an integer').min(1).max(1000, 'must be at most 1000').default(100),
});
export type ReflectListQuery = z.input<typeof ReflectListQuerySchema>;

export const ReflectPageMetaSchema = TargetPageMetaSchema;

/** List response of one dataset. */
export function reflectListResponseSchema<D extends ReflectDataset>(dataset: D) {
  return z.object({ data: z.array(reflectListItemSchemas[dataset]), meta: ReflectPageMetaSchema });
}

export const ReflectErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: ReflectFieldErrorsSchema.optional(),
  }),
});
export type ReflectErrorBody = z.infer<typeof ReflectErrorBodySchema>;

export const ReflectAdminStateSchema = z.object({
  datasets: z.record(ReflectDatasetSchema, z.array(z.record(z.string(), z.unknown()))),
  requestCounts: z.record(z.string(), z.record(z.string(), z.number().int())),
  idempotencyReplays: z.number().int(),
});
export type ReflectAdminState = z.infer<typeof ReflectAdminStateSchema>;
