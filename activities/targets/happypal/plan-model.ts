import { z } from 'zod';

/** A field-level conflict as stored with a planned line (values are target-side data: Postgres only). */
export const PlannedConflictSchema = z.object({
  field: z.string(),
  base: z.string().nullable(),
  source: z.string().nullable(),
  target: z.string().nullable(),
});

/**
 * What the write phase does for one report line: HTTP writes first (create, or update then
 * lifecycle), then one database commit of the link, the new snapshot (base) and conflicts.
 */
/** A profile field's value, or the custom attributes object (`custom_attributes`: key → text, number or null). */
const WriteValueSchema = z.union([z.string(), z.null(), z.record(z.string(), z.union([z.string(), z.number(), z.null()]))]);

export const PlannedWriteSchema = z.object({
  create: z.record(z.string(), WriteValueSchema).optional(),
  update: z.record(z.string(), WriteValueSchema).optional(),
  lifecycle: z.enum(['deactivate', 'reactivate']).optional(),
  commit: z.object({
    link: z.boolean(),
    snapshot: z.record(z.string(), z.string().nullable()).nullable(),
    kept: z.record(z.string(), z.string().nullable()),
    status: z.enum(['active', 'inactive']).nullable(),
    openConflicts: z.array(PlannedConflictSchema),
    closeConflicts: z.array(z.string()),
  }),
});
export type PlannedWrite = z.infer<typeof PlannedWriteSchema>;
export type PlannedConflict = z.infer<typeof PlannedConflictSchema>;

export const SnapshotFieldsSchema = z.record(z.string(), z.string().nullable());
