import { activityOf, halfDays, leaveId } from './activity.js';
import { nextEmployeeNumber } from './company.js';
import { MUTATION_ID_BASE, type Company } from './company-model.js';
import { fixedItem } from './compensation.js';
import { addDays } from './dates.js';
import { uniqueMail } from './identity.js';
import {
  AddExpenseClaimInputSchema, AddLeaveInputSchema, ChangeSalaryInputSchema, HireInputSchema, MutationError,
  UserPatchSchema, type AddExpenseClaimInput, type AddLeaveInput, type ChangeSalaryInput, type HireInput, type UserPatch,
} from './mutation-inputs.js';
import type { ExpenseClaim, Leave, LeaveRequest, LuccaUser } from './types.js';

export * from './mutation-inputs.js';

/**
 * Edits of the tenant, applied in place. Each one stamps the records it touches with the model
 * clock (`company.clock.now()`), which is what `modifiedAt=since,…` sees.
 */
export function hire(company: Company, input: HireInput): LuccaUser {
  const data = HireInputSchema.parse(input);
  const now = company.clock.now();
  const departmentId = data.departmentId ?? company.departments[0]?.id ?? 100;
  const legalEntityId = data.legalEntityId ?? company.legalEntities[0]?.id ?? 1;
  const mail = data.mail ?? uniqueMail(company, data.firstName, data.lastName ?? '');
  const user: LuccaUser = {
    id: company.next.userId++,
    firstName: data.firstName, lastName: data.lastName, mail, login: mail.split('@')[0]?.toLowerCase() ?? '',
    gender: data.gender ?? 'female', birthDate: data.birthDate,
    dtContractStart: data.dtContractStart ?? company.clock.today(), dtContractEnd: data.dtContractEnd ?? null,
    departmentId, legalEntityId, managerId: data.managerId === undefined ? (company.users[0]?.id ?? null) : data.managerId,
    employeeNumber: nextEmployeeNumber(company, legalEntityId), jobTitle: data.jobTitle ?? 'Chargé(e) de mission',
    modifiedAt: now,
  };
  company.usedMails.add(mail.toLowerCase());
  company.users.push(user);
  company.byId.set(user.id, user);
  company.activity.set(user.id, { leaves: [], leaveRequests: [], expenseClaims: [] });
  company.fixedItems.push({ ...fixedItem(company.next.fixedItemId++, user.id, data.salary ?? 3000, user.dtContractStart, null), modifiedAt: now });
  return user;
}

/** Any of the simple fields at once (the admin endpoint's `update`). */
export function update(company: Company, userId: number, patch: UserPatch): LuccaUser {
  const user = mustFind(company, userId);
  const { extendedData, ...rest } = UserPatchSchema.parse(patch);
  const defined = Object.entries(rest).filter(([, value]) => value !== undefined);
  Object.assign(user, Object.fromEntries(defined), { modifiedAt: company.clock.now() });
  if (extendedData) user.extendedData = { ...user.extendedData, ...extendedData };
  return user;
}

export function rename(company: Company, userId: number, names: { firstName?: string; lastName?: string | null }): LuccaUser {
  return update(company, userId, names);
}

export function changeEmail(company: Company, userId: number, mail: string): LuccaUser {
  company.usedMails.add(mail.toLowerCase());
  return update(company, userId, { mail });
}

export function endContract(company: Company, userId: number, date: string): LuccaUser {
  const user = mustFind(company, userId);
  activityOf(company, userId); // freeze generated activity before the contract changes
  user.dtContractEnd = date;
  user.modifiedAt = company.clock.now();
  const current = company.fixedItems.find((item) => item.ownerId === userId && (item.endsOn === null || item.endsOn > date));
  if (current && current.startsOn <= date) current.endsOn = date;
  return user;
}

/** Same user id, new contract: start `startDate`, open end. */
export function rehire(company: Company, userId: number, startDate: string): LuccaUser {
  const user = mustFind(company, userId);
  activityOf(company, userId);
  user.dtContractStart = startDate;
  user.dtContractEnd = null;
  user.modifiedAt = company.clock.now();
  const last = company.fixedItems.filter((item) => item.ownerId === userId).at(-1);
  company.fixedItems.push({ ...fixedItem(company.next.fixedItemId++, userId, last?.amount ?? 3000, startDate, null), modifiedAt: user.modifiedAt });
  return user;
}

/** Gone from Lucca entirely (no tombstone, as in the real API): user, activity and compensation. */
export function remove(company: Company, userId: number): void {
  mustFind(company, userId);
  company.users.splice(company.users.findIndex((u) => u.id === userId), 1);
  company.byId.delete(userId);
  company.activity.delete(userId);
  company.fixedItems = company.fixedItems.filter((item) => item.ownerId !== userId);
  company.variableItems = company.variableItems.filter((item) => item.ownerId !== userId);
  company.removedUserIds.push(userId);
}

export function addLeave(company: Company, input: AddLeaveInput): { request: LeaveRequest; leaves: Leave[] } {
  const data = AddLeaveInputSchema.parse(input);
  mustFind(company, data.ownerId);
  const activity = activityOf(company, data.ownerId);
  if (!activity) throw new MutationError(`unknown user ${data.ownerId}`);
  const now = company.clock.now();
  const taken = new Set(activity.leaves.filter((l) => l.isActive).map((l) => l.id));
  const rows = halfDays(data.startsOn, data.endsOn, data.startsPm, data.endsAm);
  if (rows.length === 0) throw new MutationError('the period has no working half-day');
  const periodId = company.next.leavePeriodId++;
  const leaves = rows.map((row): Leave => {
    const id = leaveId(data.ownerId, row.date, row.isAm);
    if (taken.has(id)) throw new MutationError(`half-day ${id} is already taken`);
    return {
      id, ownerId: data.ownerId, date: row.date, isAm: row.isAm, leavePeriodId: periodId, leaveAccountId: data.leaveAccountId,
      isActive: true, creationDate: now, cancellationDate: null, cancellationUserId: null, modifiedAt: now,
    };
  });
  // A cancelled half-day may be taken again: the new row replaces the old one (same id).
  activity.leaves = activity.leaves.filter((l) => !leaves.some((n) => n.id === l.id)).concat(leaves);
  const request: LeaveRequest = {
    id: periodId, leavePeriodId: periodId, ownerId: data.ownerId, leaveAccountId: data.leaveAccountId,
    startsOn: data.startsOn, endsOn: data.endsOn, status: data.status, isActive: true, creationDate: now,
    cancellationDate: null, nextApproverId: data.status === 0 ? mustFind(company, data.ownerId).managerId : null, modifiedAt: now,
  };
  activity.leaveRequests.push(request);
  return { request, leaves };
}

/** Cancels a whole leave period: rows stay, with isActive false and a cancellationDate (request status 4). */
export function cancelLeave(company: Company, leavePeriodId: number): Leave[] {
  const owners = leavePeriodId < MUTATION_ID_BASE ? [Math.floor(leavePeriodId / 100)] : [...company.activity.keys()];
  for (const ownerId of owners) {
    const activity = activityOf(company, ownerId);
    const rows = activity?.leaves.filter((l) => l.leavePeriodId === leavePeriodId) ?? [];
    if (!activity || rows.length === 0) continue;
    const now = company.clock.now();
    for (const row of rows) Object.assign(row, { isActive: false, cancellationDate: now, cancellationUserId: ownerId, modifiedAt: now });
    const request = activity.leaveRequests.find((r) => r.leavePeriodId === leavePeriodId);
    if (request) Object.assign(request, { status: 4, isActive: false, cancellationDate: now, modifiedAt: now });
    return rows;
  }
  throw new MutationError(`unknown leave period ${leavePeriodId}`);
}

/** Closes the open BASIC_SALARY item the day before `startsOn` and opens a new one. */
export function changeSalary(company: Company, userId: number, input: ChangeSalaryInput): void {
  const data = ChangeSalaryInputSchema.parse(input);
  mustFind(company, userId);
  const now = company.clock.now();
  for (const item of company.fixedItems) {
    if (item.ownerId === userId && (item.endsOn === null || item.endsOn >= data.startsOn) && item.startsOn < data.startsOn) {
      item.endsOn = addDays(data.startsOn, -1);
      item.modifiedAt = now;
    }
  }
  company.fixedItems.push({ ...fixedItem(company.next.fixedItemId++, userId, data.amount, data.startsOn, null), modifiedAt: now });
}

export function addExpenseClaim(company: Company, input: AddExpenseClaimInput): ExpenseClaim {
  const data = AddExpenseClaimInputSchema.parse(input);
  const user = mustFind(company, data.ownerId);
  const activity = activityOf(company, user.id);
  const now = company.clock.now();
  const claim: ExpenseClaim = {
    id: company.next.expenseClaimId++, name: data.name, ownerId: user.id, declaredOn: data.declaredOn ?? company.clock.today(),
    createdOn: now, modifiedOn: now, statusId: data.statusId, approvalStateId: 0, paymentMethodId: 0, currencyId: 'EUR', amount: data.amount,
  };
  activity?.expenseClaims.push(claim);
  return claim;
}

function mustFind(company: Company, userId: number): LuccaUser {
  const user = company.byId.get(userId);
  if (!user) throw new MutationError(`unknown user ${userId}`);
  return user;
}
