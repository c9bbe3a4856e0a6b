import type { Company } from '../simulators/data/company.js';
import { rename } from '../simulators/data/mutations.js';

/** Renames 1 % of the employees who have a profile (valid records, contract not ended), spread evenly. */
export function changeOnePercent(company: Company, today: string): number {
  const invalid = new Set(company.invalidUserIds.map((r) => r.userId));
  const eligible = company.users.filter((u) => !invalid.has(u.id) && (u.dtContractEnd === null || u.dtContractEnd >= today) && u.lastName);
  const want = Math.max(1, Math.round(company.users.length / 100));
  const stride = Math.max(1, Math.floor(eligible.length / want));
  let changed = 0;
  for (let i = 0; i < eligible.length && changed < want; i += stride) {
    const user = eligible[i];
    if (!user) break;
    rename(company, user.id, { lastName: `${user.lastName}-Martin` });
    changed += 1;
  }
  return changed;
}
