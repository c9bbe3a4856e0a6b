import { z } from 'zod';

/**
 * Records of the in-memory Lucca tenant. Plain dates are `YYYY-MM-DD`; instants (`modifiedAt`,
 * `creationDate`…) are epoch milliseconds, formatted the Lucca way only when served.
 */
const PlainDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const LuccaUserSchema = z.object({
  id: z.number().int(),
  firstName: z.string(),
  /** null or '' on some invalid records. */
  lastName: z.string().nullable(),
  mail: z.string(),
  login: z.string(),
  gender: z.enum(['male', 'female']),
  birthDate: PlainDate,
  dtContractStart: PlainDate,
  dtContractEnd: PlainDate.nullable(),
  departmentId: z.number().int(),
  legalEntityId: z.number().int(),
  managerId: z.number().int().nullable(),
  employeeNumber: z.string(),
  jobTitle: z.string(),
  modifiedAt: z.number(),
  /** HR-file values set by a mutation (data/extensions.ts gives the generated ones); null = no value. */
  extendedData: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
});
export type LuccaUser = z.infer<typeof LuccaUserSchema>;

export const DepartmentSchema = z.object({ id: z.number().int(), name: z.string() });
export type Department = z.infer<typeof DepartmentSchema>;

export const LegalEntitySchema = z.object({ id: z.number().int(), name: z.string(), code: z.string() });
export type LegalEntity = z.infer<typeof LegalEntitySchema>;

export const InvalidReasonSchema = z.enum(['bad-email', 'missing-last-name', 'future-birth-date']);
export type InvalidReason = z.infer<typeof InvalidReasonSchema>;
export const InvalidRecordSchema = z.object({ userId: z.number().int(), reason: InvalidReasonSchema });
export type InvalidRecord = z.infer<typeof InvalidRecordSchema>;

export const FixedItemSchema = z.object({
  id: z.number().int(),
  ownerId: z.number().int(),
  /** Monthly gross amount in EUR (nature BASIC_SALARY). */
  amount: z.number(),
  startsOn: PlainDate,
  endsOn: PlainDate.nullable(),
  natureId: z.number().int(),
  workContractId: z.number().int(),
  comment: z.string().nullable(),
  modifiedAt: z.number(),
});
export type FixedItem = z.infer<typeof FixedItemSchema>;

export const VariableItemSchema = z.object({
  id: z.number().int(),
  ownerId: z.number().int(),
  amount: z.number(),
  /** First day of the month the bonus belongs to. */
  period: PlainDate,
  natureId: z.number().int(),
  comments: z.string().nullable(),
  isDeleted: z.boolean(),
  modifiedAt: z.number(),
});
export type VariableItem = z.infer<typeof VariableItemSchema>;

/** One half-day of a leave period (Lucca: "only one leave per half-day can exist"). */
export const LeaveSchema = z.object({
  id: z.string(),
  ownerId: z.number().int(),
  date: PlainDate,
  isAm: z.boolean(),
  leavePeriodId: z.number().int(),
  leaveAccountId: z.number().int(),
  isActive: z.boolean(),
  creationDate: z.number(),
  cancellationDate: z.number().nullable(),
  cancellationUserId: z.number().int().nullable(),
  modifiedAt: z.number(),
});
export type Leave = z.infer<typeof LeaveSchema>;

/** Lucca leave-request status: 0 pending, 2 approved, 3 denied, 4 cancelled, 5 cancellation pending. */
export const LeaveRequestStatusSchema = z.union([z.literal(0), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]);
export type LeaveRequestStatus = z.infer<typeof LeaveRequestStatusSchema>;

export const LeaveRequestSchema = z.object({
  id: z.number().int(),
  leavePeriodId: z.number().int(),
  ownerId: z.number().int(),
  leaveAccountId: z.number().int(),
  startsOn: PlainDate,
  endsOn: PlainDate,
  status: LeaveRequestStatusSchema,
  isActive: z.boolean(),
  creationDate: z.number(),
  cancellationDate: z.number().nullable(),
  nextApproverId: z.number().int().nullable(),
  modifiedAt: z.number(),
});
export type LeaveRequest = z.infer<typeof LeaveRequestSchema>;

export const ExpenseClaimSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  ownerId: z.number().int(),
  declaredOn: PlainDate,
  createdOn: z.number(),
  modifiedOn: z.number(),
  /** 1 Created … 7 Paid, 8 Refused, 9 Cancelled (see EXPENSE_STATUSES). */
  statusId: z.number().int().min(1).max(9),
  approvalStateId: z.number().int().min(0).max(4),
  paymentMethodId: z.union([z.literal(0), z.literal(1), z.literal(3)]),
  currencyId: z.string(),
  /** Not served on the claim (Lucca keeps amounts on claim items); kept for tests and reports. */
  amount: z.number(),
});
export type ExpenseClaim = z.infer<typeof ExpenseClaimSchema>;

export interface UserActivity {
  leaves: Leave[];
  leaveRequests: LeaveRequest[];
  expenseClaims: ExpenseClaim[];
}

export const LEAVE_ACCOUNTS: ReadonlyArray<{ id: number; name: string }> = [
  { id: 1, name: 'Congés payés' },
  { id: 2, name: 'RTT' },
  { id: 3, name: 'Maladie' },
];

export const EXPENSE_STATUSES: Readonly<Record<number, string>> = {
  1: 'Created', 2: 'PartiallyApproved', 3: 'Approved', 4: 'Controlled', 5: 'ApprovedAndControlled',
  6: 'PaymentInitiated', 7: 'Paid', 8: 'Refused', 9: 'Cancelled',
};

export const FIXED_NATURE = { id: 11, name: 'Salaire de base', categoryId: 1, code: 'BASIC_SALARY' } as const;
export const VARIABLE_NATURE = { id: 21, name: 'Prime sur objectifs', categoryId: 2, code: 'BONUS' } as const;
