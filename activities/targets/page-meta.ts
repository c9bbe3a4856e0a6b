import { z } from 'zod';

/** The paging metadata HappyPal's and Reflect's list endpoints both answer with (docs/happypal-api.md, docs/reflect-api.md). */
export const TargetPageMetaSchema = z.object({
  page: z.number().int(),
  per_page: z.number().int(),
  total: z.number().int(),
  next_page: z.number().int().nullable(),
});
