import type { Company } from '../../dev/simulators/data/company.js';
import type { LuccaUser } from '../../dev/simulators/data/types.js';
import type { HappyPalSimulator } from '../../dev/simulators/happypal/server.js';
import type { HappyPalUser } from '../../activities/targets/happypal/schemas.js';

/** Current, valid employees of the simulated company (the ones a first sync creates). */
export function currentEmployees(company: Company): LuccaUser[] {
  const invalid = new Set(company.invalidUserIds.map((r) => r.userId));
  const today = company.clock.today();
  return company.users.filter((u) => !invalid.has(u.id) && (u.dtContractEnd === null || u.dtContractEnd >= today));
}

export function profileOf(happypal: HappyPalSimulator, user: LuccaUser): HappyPalUser {
  const email = user.mail.trim().toLowerCase();
  const found = happypal.state.dump().users.filter((u) => u.email.toLowerCase() === email);
  if (found.length !== 1) throw new Error(`expected one HappyPal profile for Lucca user ${user.id}, found ${found.length}`);
  return found[0] as HappyPalUser;
}

export function daysBefore(day: string, n: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - n);
  return date.toISOString().slice(0, 10);
}
