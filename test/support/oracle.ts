import type { Company } from '../../dev/simulators/data/company.js';
import type { HappyPalUser } from '../../activities/targets/happypal/schemas.js';

export interface ExpectedProfile {
  first_name: string;
  last_name: string;
  email: string;
  birth_date: string | null;
  contract_start: string | null;
  contract_end: string | null;
}

/**
 * What HappyPal should hold after a lucca-wins sync, computed from the simulator's own company
 * model (never from our database): every valid employee whose contract has not ended, by email.
 */
export function expectedActiveProfiles(company: Company, today: string): Map<string, ExpectedProfile> {
  const invalid = new Set(company.invalidUserIds.map((r) => r.userId));
  const expected = new Map<string, ExpectedProfile>();
  for (const user of company.users) {
    if (invalid.has(user.id)) continue;
    if (user.dtContractEnd !== null && user.dtContractEnd < today) continue;
    const email = user.mail.trim().normalize('NFC').toLowerCase();
    expected.set(email, {
      first_name: user.firstName,
      last_name: user.lastName ?? '',
      email,
      birth_date: user.birthDate,
      contract_start: user.dtContractStart,
      contract_end: user.dtContractEnd,
    });
  }
  return expected;
}

/** HappyPal's active profiles by normalised email, failing on any duplicate email. */
export function activeProfilesByEmail(users: HappyPalUser[]): Map<string, ExpectedProfile> {
  const byEmail = new Map<string, ExpectedProfile>();
  for (const user of users) {
    if (user.status !== 'active') continue;
    const email = user.email.trim().normalize('NFC').toLowerCase();
    if (byEmail.has(email)) throw new Error(`duplicate HappyPal profile for one email (ids ${user.id})`);
    byEmail.set(email, {
      first_name: user.first_name, last_name: user.last_name, email,
      birth_date: user.birth_date, contract_start: user.contract_start, contract_end: user.contract_end,
    });
  }
  return byEmail;
}
