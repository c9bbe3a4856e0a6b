import { z } from 'zod';

/**
 * Lucca legacy v3 envelopes (reference/lucca-api.md §2a). Items stay `unknown` here: each one is
 * validated on its own by the mapping, so one bad record is quarantined instead of failing a page.
 */
export const LuccaHeaderSchema = z
  .object({ generated: z.string().optional(), principal: z.string().optional(), processId: z.number().optional() })
  .passthrough();

export const LuccaCollectionSchema = z.object({
  header: LuccaHeaderSchema.optional(),
  data: z.object({
    items: z.array(z.unknown()).optional(),
    count: z.number().int().nonnegative().optional(),
  }),
});
export type LuccaCollection = z.infer<typeof LuccaCollectionSchema>;

/** The v3 fields the HappyPal connector reads (reference §7: the six synced values, plus id and modification date). */
export const HAPPYPAL_USER_FIELDS = [
  'id',
  'firstName',
  'lastName',
  'mail',
  'birthDate',
  'dtContractStart',
  'dtContractEnd',
  'modifiedAt',
] as const;

export const LUCCA_PAGE_LIMIT = 1000;
