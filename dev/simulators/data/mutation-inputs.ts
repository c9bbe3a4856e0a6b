import { z } from 'zod';

const PlainDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

export const HireInputSchema = z.object({
  firstName: z.string(),
  lastName: z.string().nullable(),
  /** Derived from the names when absent. */
  mail: z.string().optional(),
  birthDate: PlainDate,
  /** Defaults to the model clock's today. */
  dtContractStart: PlainDate.optional(),
  dtContractEnd: PlainDate.nullable().optional(),
  departmentId: z.number().int().optional(),
  legalEntityId: z.number().int().optional(),
  managerId: z.number().int().nullable().optional(),
  jobTitle: z.string().optional(),
  gender: z.enum(['male', 'female']).optional(),
  /** Monthly BASIC_SALARY; 3000 when absent. */
  salary: z.number().positive().optional(),
});
export type HireInput = z.infer<typeof HireInputSchema>;

export const UserPatchSchema = z.object({
  firstName: z.string().optional(),
  lastName: z.string().nullable().optional(),
  mail: z.string().optional(),
  birthDate: PlainDate.optional(),
  departmentId: z.number().int().optional(),
  legalEntityId: z.number().int().optional(),
  managerId: z.number().int().nullable().optional(),
  jobTitle: z.string().optional(),
  /** HR-file values (`e_…` keys), merged into the user's; null clears one. */
  extendedData: z.record(z.string().regex(/^e_/, 'extendedData keys start with e_'), z.union([z.string(), z.number(), z.null()])).optional(),
});
export type UserPatch = z.infer<typeof UserPatchSchema>;

export const AddLeaveInputSchema = z.object({
  ownerId: z.number().int(),
  startsOn: PlainDate,
  endsOn: PlainDate,
  /** 1 Congés payés, 2 RTT, 3 Maladie. */
  leaveAccountId: z.number().int().default(1),
  /** Start at noon (skip the first morning). */
  startsPm: z.boolean().default(false),
  /** End at noon (skip the last afternoon). */
  endsAm: z.boolean().default(false),
  status: z.union([z.literal(0), z.literal(2)]).default(2),
});
export type AddLeaveInput = z.input<typeof AddLeaveInputSchema>;

export const ChangeSalaryInputSchema = z.object({ amount: z.number().positive(), startsOn: PlainDate });
export type ChangeSalaryInput = z.infer<typeof ChangeSalaryInputSchema>;

export const AddExpenseClaimInputSchema = z.object({
  ownerId: z.number().int(),
  name: z.string().default('Note de frais'),
  /** Defaults to the model clock's today. */
  declaredOn: PlainDate.optional(),
  statusId: z.number().int().min(1).max(9).default(1),
  amount: z.number().positive().default(42.5),
});
export type AddExpenseClaimInput = z.input<typeof AddExpenseClaimInputSchema>;

export class MutationError extends Error {
  readonly code = 'mutation_failed';
}
