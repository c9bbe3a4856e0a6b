import { z } from 'zod';

/**
 * Lucca legacy v3 envelopes (docs/lucca-api.md §2a). Items stay `unknown` here: each one is
 * validated on its own by the mapping, so one bad record is quarantined instead of failing a page.
 */
export const LuccaHeaderSchema = z
  .object({ generated: z.string().optional(), principal: z.string().optional(), processId: z.number().optional() })
  .passthrough();

/** The header is informative only: a null or odd header never fails a page whose data is fine. */
export const LuccaCollectionSchema = z.object({
  header: LuccaHeaderSchema.nullish().catch(undefined),
  data: z.object({
    items: z.array(z.unknown()).optional(),
    count: z.number().int().nonnegative().optional(),
  }),
});
export type LuccaCollection = z.infer<typeof LuccaCollectionSchema>;

/** The v3 fields the HappyPal connector reads (docs/lucca-api.md §7: the six synced values, plus id and modification date). */
export const HAPPYPAL_USER_FIELDS = ['id', 'firstName', 'lastName', 'mail', 'birthDate', 'dtContractStart', 'dtContractEnd', 'modifiedAt'] as const;

export const LUCCA_PAGE_LIMIT = 1000;

/** `/api/v3/leaves` pages up to 10,000 rows (docs/lucca-api.md §5, the leaves sync guide). */
export const LUCCA_LEAVES_PAGE_LIMIT = 10_000;

/** Pagga (v4) pages: `limit` defaults to 10; 1000 is the most the API accepts. */
export const LUCCA_V4_PAGE_LIMIT = 1000;

/**
 * Legacy v4 envelope (Pagga remuneration, docs/lucca-api.md §3c): `{ items, next, prev, count }`, the last
 * three only when asked with `fields.root`. `next` is a URL or null.
 */
export const LuccaV4ListSchema = z.object({
  items: z.array(z.unknown()),
  next: z.string().nullable().optional(),
  prev: z.string().nullable().optional(),
  count: z.number().int().nonnegative().optional(),
});
export type LuccaV4List = z.infer<typeof LuccaV4ListSchema>;

/** The v3 user fields the Reflect connector reads (employee analytics: org and contract data). */
export const REFLECT_USER_FIELDS = [
  ...HAPPYPAL_USER_FIELDS.filter((field) => field !== 'modifiedAt'),
  'department.name',
  'managerId',
  'employeeNumber',
  'modifiedAt',
] as const;

/**
 * The v3 user fields a connection's scope reads (rules/scope.ts SCOPE_LUCCA_FIELDS): the id and the
 * org ids. Reflect reads them with its other datasets when the connection has a scope, so each
 * person's compensation, absences and expenses follow the scope (activities/targets/reflect/scope.ts).
 */
export const SCOPE_USER_FIELDS = ['id', 'legalEntityId', 'departmentId'] as const;

/**
 * One half-day leave row: its period, account (the absence type), owner and whether it still stands.
 * Lucca's Leave has no modification date (developers.lucca.fr, timmi-absences/leaves/leave): asking
 * for one is a 400, so changes are read whole in the read window, cancellations through `isActive`.
 */
export const LEAVE_FIELDS = [
  'id',
  'date',
  'isAm',
  'leavePeriodId',
  'leaveAccountId',
  'leaveAccount.name',
  'leavePeriod.ownerId',
  'isActive',
] as const;

/**
 * Expense-claim header fields (amounts live on claim items, which Reflect's model does not need).
 * The status is asked in both documented forms, `statusId` and the object `status`.
 */
export const EXPENSE_CLAIM_FIELDS = ['id', 'name', 'declaredOn', 'statusId', 'status.id', 'status.code', 'ownerId', 'currencyId', 'modifiedOn'] as const;
