import type { Rng } from '../shared/rng.js';
import type { Company } from './company-model.js';
import { addDays, DAY_MS, dateToMs, isWeekend } from './dates.js';
import { intBetween, rngFor, weighted } from './random.js';
import type { ExpenseClaim, Leave, LeaveRequest, LeaveRequestStatus, LuccaUser, UserActivity } from './types.js';

const SALT_LEAVES = 21;
const SALT_EXPENSES = 31;
const HOUR_MS = 3_600_000;

/** The user's leaves, leave requests and expense claims, generated on first read; undefined for an unknown user. */
export function activityOf(company: Company, userId: number): UserActivity | undefined {
  const cached = company.activity.get(userId);
  if (cached) return cached;
  const user = company.byId.get(userId);
  if (!user) return undefined;
  const activity: UserActivity = company.withActivity
    ? { ...generateLeaves(company, user), expenseClaims: generateExpenses(company, user) }
    : { leaves: [], leaveRequests: [], expenseClaims: [] };
  company.activity.set(userId, activity);
  return activity;
}

/** Half-day rows for the weekdays of [startsOn, endsOn]; `startsPm` skips the first morning, `endsAm` the last afternoon. */
export function halfDays(startsOn: string, endsOn: string, startsPm = false, endsAm = false): Array<{ date: string; isAm: boolean }> {
  const rows: Array<{ date: string; isAm: boolean }> = [];
  for (let date = startsOn; date <= endsOn; date = addDays(date, 1)) {
    if (isWeekend(date)) continue;
    if (!(date === startsOn && startsPm)) rows.push({ date, isAm: true });
    if (!(date === endsOn && endsAm)) rows.push({ date, isAm: false });
  }
  return rows;
}

/** A leave's id as Lucca writes it: `{ownerId}-{yyyyMMdd}-{AM|PM}` (one leave per person and half-day), e.g. `32710-20220711-PM`. */
export function leaveId(ownerId: number, date: string, isAm: boolean): string {
  return `${ownerId}-${date.slice(0, 10).replaceAll('-', '')}-${isAm ? 'AM' : 'PM'}`;
}

/** Leave periods over [asOf − 1 year, asOf + 2 months] within the contract, one request per period. */
function generateLeaves(company: Company, user: LuccaUser): Pick<UserActivity, 'leaves' | 'leaveRequests'> {
  const rng = rngFor(company.seed, user.id, SALT_LEAVES);
  const windowStart = maxDate(addDays(company.asOf, -365), user.dtContractStart);
  const windowEnd = minDate(addDays(company.asOf, 60), user.dtContractEnd ?? '9999-12-31');
  const leaves: Leave[] = [];
  const leaveRequests: LeaveRequest[] = [];
  let cursor = addDays(windowStart, intBetween(rng, 0, 40));
  for (let k = 0; k < 99 && cursor <= windowEnd; k++) {
    const accountId = weighted(rng, [[1, 60], [2, 30], [3, 10]] as const);
    const days = accountId === 1 ? intBetween(rng, 1, 10) : accountId === 2 ? intBetween(rng, 1, 2) : intBetween(rng, 1, 5);
    const endsOn = minDate(addDays(cursor, days - 1), windowEnd);
    const rows = halfDays(cursor, endsOn, false, accountId === 2 && days === 1 && rng() < 0.3);
    if (rows.length > 0) {
      const periodId = user.id * 100 + k;
      const status = periodStatus(rng, cursor > company.asOf);
      const created = dateToMs(cursor) - (accountId === 3 ? -intBetween(rng, 0, 2) : intBetween(rng, 1, 30)) * DAY_MS + intBetween(rng, 8, 18) * HOUR_MS;
      const cancelled = status === 4 ? Math.min(created + intBetween(rng, 1, 10) * DAY_MS, dateToMs(company.asOf)) : null;
      const isActive = status === 0 || status === 2 || status === 5;
      for (const row of rows) {
        leaves.push({
          id: leaveId(user.id, row.date, row.isAm), ownerId: user.id, date: row.date, isAm: row.isAm,
          leavePeriodId: periodId, leaveAccountId: accountId, isActive, creationDate: created,
          cancellationDate: cancelled, cancellationUserId: cancelled === null ? null : user.id,
          modifiedAt: cancelled ?? created,
        });
      }
      leaveRequests.push({
        id: periodId, leavePeriodId: periodId, ownerId: user.id, leaveAccountId: accountId,
        startsOn: cursor, endsOn, status, isActive, creationDate: created, cancellationDate: cancelled,
        nextApproverId: status === 0 ? user.managerId : null, modifiedAt: cancelled ?? created,
      });
    }
    cursor = addDays(endsOn, intBetween(rng, 10, 70));
  }
  return { leaves, leaveRequests };
}

function periodStatus(rng: Rng, inFuture: boolean): LeaveRequestStatus {
  if (inFuture) return rng() < 0.5 ? 0 : 2;
  return weighted(rng, [[2, 90], [3, 4], [4, 6]] as const);
}

const EXPENSE_NAMES = ['Déplacement client', 'Salon professionnel', 'Repas d’équipe', 'Formation', 'Frais kilométriques', 'Hôtel séminaire'];
const CITIES = ['Lyon', 'Marseille', 'Lille', 'Nantes', 'Bordeaux', 'Strasbourg', 'Montréal', 'Genève'];

/** 0–8 claims declared over the past year within the contract. */
function generateExpenses(company: Company, user: LuccaUser): ExpenseClaim[] {
  const rng = rngFor(company.seed, user.id, SALT_EXPENSES);
  const from = maxDate(addDays(company.asOf, -365), user.dtContractStart);
  const to = minDate(company.asOf, user.dtContractEnd ?? company.asOf);
  if (from > to) return [];
  const span = Math.round((dateToMs(to) - dateToMs(from)) / DAY_MS);
  const count = weighted(rng, [[0, 40], [1, 15], [2, 15], [3, 10], [5, 10], [8, 10]] as const);
  const claims: ExpenseClaim[] = [];
  for (let k = 0; k < count; k++) {
    const declaredOn = addDays(from, intBetween(rng, 0, span));
    const statusId = weighted(rng, [[7, 55], [3, 12], [5, 8], [6, 5], [1, 8], [2, 4], [8, 5], [9, 3]] as const);
    const createdOn = dateToMs(declaredOn) + intBetween(rng, 8, 19) * HOUR_MS + intBetween(rng, 0, 3_599_999);
    const modifiedOn = Math.min(createdOn + intBetween(rng, 0, 20) * DAY_MS, dateToMs(company.asOf));
    claims.push({
      id: user.id * 100 + k,
      name: `${EXPENSE_NAMES[k % EXPENSE_NAMES.length]} ${CITIES[intBetween(rng, 0, CITIES.length - 1)]}`,
      ownerId: user.id, declaredOn, createdOn, modifiedOn: Math.max(createdOn, modifiedOn), statusId,
      approvalStateId: statusId === 1 ? 0 : statusId === 8 ? 3 : statusId === 9 ? 4 : statusId === 2 ? 1 : 2,
      paymentMethodId: weighted(rng, [[0, 80], [1, 15], [3, 5]] as const), currencyId: 'EUR',
      amount: Math.round((12 + rng() * 1500) * 100) / 100,
    });
  }
  return claims.sort((a, b) => a.id - b.id);
}

const maxDate = (a: string, b: string) => (a > b ? a : b);
const minDate = (a: string, b: string) => (a < b ? a : b);
