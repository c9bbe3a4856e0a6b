import { z } from 'zod';
import type { Company } from '../data/company.js';
import {
  addExpenseClaim, AddExpenseClaimInputSchema, addLeave, AddLeaveInputSchema, cancelLeave, changeEmail, changeSalary,
  endContract, hire, HireInputSchema, rehire, remove, rename, update, UserPatchSchema,
} from '../data/mutations.js';

const PlainDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const UserId = z.number().int();

/** Body of `POST /_admin/instances/<name>/mutate`: `{ op, ...arguments }`. */
export const MutationRequestSchema = z.discriminatedUnion('op', [
  HireInputSchema.extend({ op: z.literal('hire') }),
  z.object({ op: z.literal('rename'), userId: UserId, firstName: z.string().optional(), lastName: z.string().nullable().optional() }),
  z.object({ op: z.literal('changeEmail'), userId: UserId, mail: z.string() }),
  UserPatchSchema.extend({ op: z.literal('update'), userId: UserId }),
  z.object({ op: z.literal('endContract'), userId: UserId, date: PlainDate }),
  z.object({ op: z.literal('rehire'), userId: UserId, startDate: PlainDate }),
  z.object({ op: z.literal('remove'), userId: UserId }),
  AddLeaveInputSchema.extend({ op: z.literal('addLeave') }),
  z.object({ op: z.literal('cancelLeave'), leavePeriodId: z.number().int() }),
  z.object({ op: z.literal('changeSalary'), userId: UserId, amount: z.number().positive(), startsOn: PlainDate }),
  AddExpenseClaimInputSchema.extend({ op: z.literal('addExpenseClaim') }),
  z.object({ op: z.literal('setClock'), now: z.string() }),
  z.object({ op: z.literal('advanceClock'), ms: z.number().int() }),
]);
export type MutationRequest = z.infer<typeof MutationRequestSchema>;

/** Applies one admin mutation; returns what the mutation returned (for the JSON answer). */
export function applyMutation(company: Company, request: MutationRequest): unknown {
  switch (request.op) {
    case 'hire': {
      const { op: _op, ...input } = request;
      return hire(company, input);
    }
    case 'rename':
      return rename(company, request.userId, { firstName: request.firstName, lastName: request.lastName });
    case 'changeEmail':
      return changeEmail(company, request.userId, request.mail);
    case 'update': {
      const { op: _op, userId, ...patch } = request;
      return update(company, userId, patch);
    }
    case 'endContract':
      return endContract(company, request.userId, request.date);
    case 'rehire':
      return rehire(company, request.userId, request.startDate);
    case 'remove':
      remove(company, request.userId);
      return { removed: request.userId };
    case 'addLeave': {
      const { op: _op, ...input } = request;
      return addLeave(company, input);
    }
    case 'cancelLeave':
      return { cancelled: cancelLeave(company, request.leavePeriodId).length };
    case 'changeSalary':
      changeSalary(company, request.userId, { amount: request.amount, startsOn: request.startsOn });
      return { ok: true };
    case 'addExpenseClaim': {
      const { op: _op, ...input } = request;
      return addExpenseClaim(company, input);
    }
    case 'setClock':
      company.clock.set(request.now);
      return { now: new Date(company.clock.now()).toISOString() };
    case 'advanceClock':
      company.clock.advance(request.ms);
      return { now: new Date(company.clock.now()).toISOString() };
  }
}
