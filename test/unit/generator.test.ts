import { describe, expect, it } from 'vitest';
import { activityOf } from '../../dev/simulators/data/activity.js';
import { generateCompany, isFormer, isFuture } from '../../dev/simulators/data/company.js';
import { isWeekend } from '../../dev/simulators/data/dates.js';
import {
  addExpenseClaim, addLeave, cancelLeave, changeEmail, changeSalary, endContract, hire, MutationError, rehire, remove, rename,
} from '../../dev/simulators/data/mutations.js';

const MAIL = /^[A-Za-z0-9-]+\.[A-Za-z0-9-]+\d*@[A-Za-z0-9-]+\.[a-z]+$/;
const company = generateCompany({ employees: 2000, seed: 42 });
const invalid = new Map(company.invalidUserIds.map((r) => [r.userId, r.reason]));
const valid = company.users.filter((u) => !invalid.has(u.id));

describe('generateCompany', () => {
  it('is deterministic for (employees, seed) and differs across seeds', () => {
    const again = generateCompany({ employees: 2000, seed: 42 });
    expect(again.users).toEqual(company.users);
    expect(again.fixedItems).toEqual(company.fixedItems);
    expect(again.variableItems).toEqual(company.variableItems);
    expect(again.invalidUserIds).toEqual(company.invalidUserIds);
    for (const id of [1, 500, 1999]) expect(activityOf(again, id)).toEqual(activityOf(company, id));
    expect(generateCompany({ employees: 2000, seed: 43 }).users).not.toEqual(company.users);
  });

  it('produces realistic French names and mixed-case, accent-free, unique mails', () => {
    const names = company.users.map((u) => `${u.firstName} ${u.lastName ?? ''}`);
    expect(names.some((n) => /[éèçïô]/.test(n))).toBe(true);
    expect(company.users.some((u) => u.firstName.includes('-'))).toBe(true);
    expect(company.users.some((u) => u.lastName?.includes('-'))).toBe(true);
    expect(company.users.some((u) => u.lastName?.includes("'"))).toBe(true);
    expect(company.users.some((u) => u.lastName?.includes(' '))).toBe(true);
    for (const user of valid) {
      expect(user.mail).toMatch(MAIL);
      expect(user.mail).not.toBe(user.mail.toLowerCase());
    }
    const leGoff = valid.find((u) => u.lastName === 'Le Goff' && u.firstName === 'Jean-Baptiste')
      ?? valid.find((u) => u.lastName === 'Le Goff');
    expect(leGoff?.mail).toMatch(/\.LeGoff\d*@/);
    expect(new Set(valid.map((u) => u.mail.toLowerCase())).size).toBe(valid.length);
  });

  it('marks a known share of broken records, each with its reason', () => {
    expect(company.invalidUserIds).toHaveLength(40);
    expect(new Set(company.invalidUserIds.map((r) => r.reason))).toEqual(new Set(['bad-email', 'missing-last-name', 'future-birth-date']));
    for (const { userId, reason } of company.invalidUserIds) {
      const user = company.byId.get(userId)!;
      if (reason === 'bad-email') expect(user.mail).not.toMatch(/^[^@]+@[^@]+\.[a-z]+$/i);
      if (reason === 'missing-last-name') expect(user.lastName === null || user.lastName === '').toBe(true);
      if (reason === 'future-birth-date') expect(user.birthDate > company.asOf).toBe(true);
    }
    for (const user of valid) {
      expect(user.lastName).toBeTruthy();
      expect(user.birthDate >= '1960-01-01' && user.birthDate <= '2004-12-31').toBe(true);
    }
    expect(generateCompany({ employees: 100, seed: 1, invalidShare: 0 }).invalidUserIds).toEqual([]);
  });

  it('models contracts, hierarchy, employee numbers and compensation', () => {
    const today = company.clock.today();
    const former = company.users.filter((u) => isFormer(u, today)).length;
    expect(former / company.users.length).toBeGreaterThan(0.05);
    expect(company.users.some((u) => isFuture(u, today))).toBe(true);
    expect(company.users.some((u) => u.dtContractEnd !== null && u.dtContractEnd > today)).toBe(true);
    for (const user of company.users.slice(1)) {
      expect(user.managerId).not.toBe(user.id);
      expect(company.byId.has(user.managerId!)).toBe(true);
      expect(user.dtContractEnd === null || user.dtContractEnd >= user.dtContractStart).toBe(true);
    }
    const numbers = company.users.map((u) => `${u.legalEntityId}/${u.employeeNumber}`);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const user of company.users.slice(0, 200)) {
      const items = company.fixedItems.filter((i) => i.ownerId === user.id);
      expect(items.length).toBeGreaterThanOrEqual(1);
      expect(items.length).toBeLessThanOrEqual(3);
      expect(items[0]!.startsOn).toBe(user.dtContractStart);
      expect(items.at(-1)!.endsOn).toBe(user.dtContractEnd);
    }
    expect(company.variableItems.some((i) => i.isDeleted)).toBe(true);
  });

  it('generates half-day leaves on weekdays, one per half-day, and expense claims', () => {
    let rows = 0;
    for (const user of company.users.slice(0, 100)) {
      const activity = activityOf(company, user.id)!;
      rows += activity.leaves.length;
      expect(activity.leaves.every((l) => !isWeekend(l.date))).toBe(true);
      expect(new Set(activity.leaves.map((l) => l.id)).size).toBe(activity.leaves.length);
      for (const request of activity.leaveRequests) {
        const mine = activity.leaves.filter((l) => l.leavePeriodId === request.leavePeriodId);
        expect(mine.every((l) => l.isActive === request.isActive)).toBe(true);
      }
    }
    expect(rows).toBeGreaterThan(1000);
    const claims = company.users.slice(0, 100).flatMap((u) => activityOf(company, u.id)!.expenseClaims);
    expect(claims.length).toBeGreaterThan(50);
    expect(claims.every((c) => c.currencyId === 'EUR' && c.statusId >= 1 && c.statusId <= 9)).toBe(true);
  });

  // Its speed is measured by `npm run bench:rules` (figures, not a timed test).
  it('generates 100,000 employees with unique ids', () => {
    const big = generateCompany({ employees: 100_000, seed: 5 });
    expect(big.users).toHaveLength(100_000);
    expect(new Set(big.users.map((u) => u.id)).size).toBe(100_000);
  }, 60_000);
});

describe('mutations', () => {
  it('stamps modifiedAt with the model clock and edits in place', () => {
    const c = generateCompany({ employees: 50, seed: 9 });
    c.clock.set('2025-10-01T09:00:00Z');
    const at = Date.parse('2025-10-01T09:00:00Z');
    const user = hire(c, { firstName: 'Jean-Baptiste', lastName: 'Le Goff-Martin', birthDate: '1991-02-03' });
    expect(user).toMatchObject({ id: 51, mail: 'Jean-Baptiste.LeGoff-Martin@' + c.domain, dtContractStart: '2025-10-01', modifiedAt: at });
    c.clock.advance(60_000);
    expect(rename(c, 5, { lastName: 'Lévêque' })).toMatchObject({ lastName: 'Lévêque', modifiedAt: at + 60_000 });
    expect(changeEmail(c, 5, 'X.Leveque@Example.fr').mail).toBe('X.Leveque@Example.fr');
    expect(endContract(c, 5, '2025-09-30').dtContractEnd).toBe('2025-09-30');
    expect(isFormer(c.byId.get(5)!, c.clock.today())).toBe(true);
    expect(rehire(c, 5, '2025-11-01')).toMatchObject({ id: 5, dtContractStart: '2025-11-01', dtContractEnd: null });
    remove(c, 6);
    expect(c.byId.has(6)).toBe(false);
    expect(c.users.some((u) => u.id === 6)).toBe(false);
    expect(c.removedUserIds).toEqual([6]);
    expect(() => rename(c, 6, { firstName: 'X' })).toThrow(MutationError);
  });

  it('adds and cancels leaves, changes salaries, adds expense claims', () => {
    const c = generateCompany({ employees: 20, seed: 3, withActivity: false });
    c.clock.set('2025-09-10T08:00:00Z');
    const { request, leaves } = addLeave(c, { ownerId: 2, startsOn: '2025-09-12', endsOn: '2025-09-15', endsAm: true });
    expect(leaves.map((l) => `${l.date}-${l.isAm ? 'AM' : 'PM'}`)).toEqual(['2025-09-12-AM', '2025-09-12-PM', '2025-09-15-AM']);
    expect(activityOf(c, 2)!.leaveRequests).toEqual([request]);
    expect(() => addLeave(c, { ownerId: 2, startsOn: '2025-09-15', endsOn: '2025-09-15' })).toThrow(MutationError);
    c.clock.advance(3_600_000);
    const cancelled = cancelLeave(c, request.leavePeriodId);
    expect(cancelled.every((l) => !l.isActive && l.cancellationDate === c.clock.now())).toBe(true);
    expect(activityOf(c, 2)!.leaveRequests[0]!.status).toBe(4);
    changeSalary(c, 2, { amount: 4100, startsOn: '2025-10-01' });
    const items = c.fixedItems.filter((i) => i.ownerId === 2);
    expect(items.at(-2)!.endsOn).toBe('2025-09-30');
    expect(items.at(-1)).toMatchObject({ amount: 4100, startsOn: '2025-10-01', endsOn: null });
    const claim = addExpenseClaim(c, { ownerId: 2, name: 'Train Paris–Lyon' });
    expect(claim).toMatchObject({ declaredOn: '2025-09-10', statusId: 1, currencyId: 'EUR', modifiedOn: c.clock.now() });
  });
});
