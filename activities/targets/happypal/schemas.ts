import { z } from 'zod';
import { TargetPageMetaSchema } from '../page-meta.js';

/**
 * HappyPal API v1 payloads (contract: docs/happypal-api.md). Single source of types for the
 * HappyPal client and for dev/simulators/happypal.
 */

/** Local part without spaces or specials, a dotted domain, a TLD of two letters or more (Unicode allowed). */
const EMAIL_PATTERN =
  /^(?!\.)(?!.*\.\.)[^\s@"(),:;<>[\]\\]+(?<!\.)@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,}$/u;

export const HappyPalDateSchema = z.iso.date({ error: 'must be a valid date (YYYY-MM-DD)' });
export const HappyPalTimestampSchema = z.iso.datetime({ error: 'must be an ISO 8601 UTC timestamp' });

/** Stored trimmed and NFC-normalised, case preserved. */
export const HappyPalEmailSchema = z
  .string()
  .transform((s) => s.trim().normalize('NFC'))
  .pipe(z.string().max(254, 'must be at most 254 characters').regex(EMAIL_PATTERN, 'must be a valid email'));

export const HappyPalNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

export const HappyPalExternalIdSchema = z.string().trim().min(1, 'must not be empty').max(255);

export const HappyPalUserIdSchema = z.string().regex(/^hp_usr_[1-9]\d*$/, 'must be a HappyPal user id');
export const HappyPalUserStatusSchema = z.enum(['active', 'inactive']);
export type HappyPalUserStatus = z.infer<typeof HappyPalUserStatusSchema>;

export const HappyPalUpdatedBySchema = z.union([
  z.literal('api'),
  z.templateLiteral(['admin:', z.string().min(1)]),
]);
export type HappyPalUpdatedBy = z.infer<typeof HappyPalUpdatedBySchema>;

/** A custom attribute's value: text, date and enum values are strings, numbers are numbers. */
export const HappyPalAttributeValueSchema = z.union([z.string(), z.number(), z.null()]);
export const HappyPalCustomAttributesSchema = z.record(z.string(), HappyPalAttributeValueSchema);

/** A custom attribute defined on the HappyPal account (its admin UI, Settings › Profile fields). */
export const HappyPalAttributeDefinitionSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _'),
  type: z.enum(['text', 'date', 'number', 'enum']),
  values: z.array(z.string().min(1)).min(1).optional(),
});
export type HappyPalAttributeDefinition = z.infer<typeof HappyPalAttributeDefinitionSchema>;

export const HappyPalAttributeListSchema = z.object({ data: z.array(HappyPalAttributeDefinitionSchema) });

export const HappyPalUserSchema = z.object({
  id: HappyPalUserIdSchema,
  external_id: z.string().nullable(),
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  birth_date: HappyPalDateSchema.nullable(),
  contract_start: HappyPalDateSchema.nullable(),
  contract_end: HappyPalDateSchema.nullable(),
  status: HappyPalUserStatusSchema,
  /** Values of the account's custom attributes (absent in profiles written before they existed: `{}`). */
  custom_attributes: HappyPalCustomAttributesSchema.default({}),
  created_at: HappyPalTimestampSchema,
  updated_at: HappyPalTimestampSchema,
  updated_by: HappyPalUpdatedBySchema,
});
export type HappyPalUser = z.infer<typeof HappyPalUserSchema>;

/** The profile fields a client (or a hand edit) may set. */
export const HappyPalEditableFieldSchema = z.enum(['first_name', 'last_name', 'email', 'birth_date', 'contract_start', 'contract_end']);
export type HappyPalEditableField = z.infer<typeof HappyPalEditableFieldSchema>;

/** POST /v1/users. Unknown fields are rejected (422). */
export const HappyPalCreateUserInputSchema = z.strictObject({
  first_name: HappyPalNameSchema,
  last_name: HappyPalNameSchema,
  email: HappyPalEmailSchema,
  birth_date: HappyPalDateSchema.nullable().optional(),
  contract_start: HappyPalDateSchema.nullable().optional(),
  contract_end: HappyPalDateSchema.nullable().optional(),
  external_id: HappyPalExternalIdSchema.nullable().optional(),
  /** Only attributes defined on the account; each value checked against its type (docs/happypal-api.md). */
  custom_attributes: HappyPalCustomAttributesSchema.optional(),
});
export type HappyPalCreateUserInput = z.input<typeof HappyPalCreateUserInputSchema>;

/** PATCH /v1/users/:id: any subset of the create fields; names and email cannot be null. */
export const HappyPalUpdateUserInputSchema = HappyPalCreateUserInputSchema.partial();
export type HappyPalUpdateUserInput = z.input<typeof HappyPalUpdateUserInputSchema>;

/** GET /v1/users query. Unknown parameters are ignored. */
export const HappyPalListUsersQuerySchema = z.object({
  page: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').default(1),
  per_page: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(100),
  email: z.string().optional(),
  status: HappyPalUserStatusSchema.optional(),
});
export type HappyPalListUsersQuery = z.input<typeof HappyPalListUsersQuerySchema>;

export const HappyPalPageMetaSchema = TargetPageMetaSchema;
export type HappyPalPageMeta = z.infer<typeof HappyPalPageMetaSchema>;

export const HappyPalUserListSchema = z.object({
  data: z.array(HappyPalUserSchema),
  meta: HappyPalPageMetaSchema,
});
export type HappyPalUserList = z.infer<typeof HappyPalUserListSchema>;

/** The page envelope alone, parsed strictly by the client; each profile is then parsed on its own. */
export const HappyPalUserPageEnvelopeSchema = z.object({
  data: z.array(z.unknown()),
  meta: HappyPalPageMetaSchema,
});

/**
 * Why a profile does not match the contract: each faulty field and the kind of fault (zod's issue
 * code), never the value (a profile is personal data).
 */
export function profileProblems(profile: unknown): string[] {
  const parsed = HappyPalUserSchema.safeParse(profile);
  if (parsed.success) return [];
  return [...new Set(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'profile'} (${i.code})`))];
}

export const HappyPalErrorCodeSchema = z.enum([
  'bad_request', 'unauthorized', 'not_found', 'method_not_allowed', 'invalid_json', 'validation_failed', 'email_taken',
  'idempotency_key_reused', 'idempotency_key_invalid', 'rate_limited', 'internal',
]);
export type HappyPalErrorCode = z.infer<typeof HappyPalErrorCodeSchema>;

/** `fields` on validation_failed; `existing_user_id` on email_taken (null only for injected 409s). */
export const HappyPalErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.array(z.string())).optional(),
    existing_user_id: z.string().nullable().optional(),
  }),
});
export type HappyPalErrorBody = z.infer<typeof HappyPalErrorBodySchema>;

// ---- Admin surface (simulator only, not part of the product API) ----

/** A hand edit touches one profile field, or one custom attribute (`custom_attributes.<key>`). */
export const HappyPalHandEditFieldSchema = z.union([HappyPalEditableFieldSchema, z.templateLiteral(['custom_attributes.', z.string().min(1)])]);
export type HappyPalHandEditField = z.infer<typeof HappyPalHandEditFieldSchema>;

export const HappyPalHandEditInputSchema = z.strictObject({
  field: HappyPalHandEditFieldSchema,
  value: z.union([z.string(), z.number()]).nullable(),
  by: z.string().trim().min(1),
});
export type HappyPalHandEditInput = z.infer<typeof HappyPalHandEditInputSchema>;

export const HappyPalEditLogEntrySchema = z.object({
  user_id: HappyPalUserIdSchema,
  field: HappyPalHandEditFieldSchema,
  old_value: HappyPalAttributeValueSchema,
  new_value: HappyPalAttributeValueSchema,
  by: HappyPalUpdatedBySchema,
  at: HappyPalTimestampSchema,
});
export type HappyPalEditLogEntry = z.infer<typeof HappyPalEditLogEntrySchema>;

/** POST /_admin/users: a profile that existed before any sync (created in HappyPal's own UI). */
export const HappyPalSeedUserInputSchema = HappyPalCreateUserInputSchema.extend({
  status: HappyPalUserStatusSchema.optional(),
  by: z.string().trim().min(1).optional(),
});
export type HappyPalSeedUserInput = z.input<typeof HappyPalSeedUserInputSchema>;

export const HappyPalRejectInputSchema = z.strictObject({
  email: z.string().min(1),
  status: z.union([z.literal(400), z.literal(409), z.literal(422), z.literal(500), z.null()]),
});
export type HappyPalRejectInput = z.infer<typeof HappyPalRejectInputSchema>;

export const HappyPalRequestCountsSchema = z.record(z.string(), z.record(z.string(), z.number().int()));
export type HappyPalRequestCounts = z.infer<typeof HappyPalRequestCountsSchema>;

export const HappyPalAdminStateSchema = z.object({
  users: z.array(HappyPalUserSchema),
  editLog: z.array(HappyPalEditLogEntrySchema),
  requestCounts: HappyPalRequestCountsSchema,
  idempotencyReplays: z.number().int(),
});
export type HappyPalAdminState = z.infer<typeof HappyPalAdminStateSchema>;
