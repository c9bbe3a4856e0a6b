import { z } from 'zod';
import type { Clock } from './clock.js';
import type {
  Department, FixedItem, InvalidRecord, LegalEntity, LuccaUser, UserActivity, VariableItem,
} from './types.js';

export const GenerateCompanyOptionsSchema = z.object({
  employees: z.number().int().min(0),
  seed: z.number().int(),
  /** Share of users made invalid on purpose (bad email, missing last name, future birth date). */
  invalidShare: z.number().min(0).max(1).default(0.02),
  startId: z.number().int().min(1).default(1),
  /** The day the data is anchored on; the model clock starts at 08:00 UTC that day. */
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).default('2025-09-01'),
  /** Leaves, leave requests and expense claims; generated lazily per user on first read. */
  withActivity: z.boolean().default(true),
  company: z.object({ name: z.string(), domain: z.string() }).optional(),
});
export type GenerateCompanyOptions = z.input<typeof GenerateCompanyOptionsSchema>;

/** One Lucca tenant held in memory. Mutations in `mutations.ts` edit it in place. */
export interface Company {
  name: string;
  domain: string;
  seed: number;
  asOf: string;
  clock: Clock;
  withActivity: boolean;
  /** Sorted by id ascending (new hires get the next id, so appending keeps the order). */
  users: LuccaUser[];
  byId: Map<number, LuccaUser>;
  departments: Department[];
  legalEntities: LegalEntity[];
  invalidUserIds: InvalidRecord[];
  removedUserIds: number[];
  fixedItems: FixedItem[];
  variableItems: VariableItem[];
  /** Lazily materialised activity per user id; read it through `activityOf`. */
  activity: Map<number, UserActivity>;
  next: {
    userId: number;
    fixedItemId: number;
    variableItemId: number;
    leavePeriodId: number;
    expenseClaimId: number;
    employeeNumber: Map<number, number>;
  };
  /** Lower-cased mails in use, to keep generated and hired mails unique. */
  usedMails: Set<string>;
}

/** Leave periods and expense claims created by mutations get ids from here (generated ones are userId × 100 + k). */
export const MUTATION_ID_BASE = 2_000_000_000;

export function isFormer(user: LuccaUser, today: string): boolean {
  return user.dtContractEnd !== null && user.dtContractEnd < today;
}

export function isFuture(user: LuccaUser, today: string): boolean {
  return user.dtContractStart > today;
}

export function fullName(user: Pick<LuccaUser, 'firstName' | 'lastName'>): string {
  return user.lastName ? `${user.firstName} ${user.lastName}` : user.firstName;
}
