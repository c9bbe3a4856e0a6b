import type { Rng } from '../shared/rng.js';
import type { Company } from './company-model.js';
import { addDays } from './dates.js';
import { emailPart } from './names.js';
import type { InvalidReason, LuccaUser } from './types.js';

const REASONS: readonly InvalidReason[] = ['bad-email', 'missing-last-name', 'future-birth-date'];

/**
 * Breaks `round(share × users)` records on purpose (never the first user, who heads the company)
 * and lists them in `company.invalidUserIds` with the reason, so tests can assert quarantine.
 */
export function markInvalid(company: Company, rng: Rng, share: number): void {
  const candidates = company.users.length - 1;
  const count = Math.min(candidates, Math.round(company.users.length * share));
  if (count <= 0) return;
  const order = new Int32Array(candidates);
  for (let i = 0; i < candidates; i++) order[i] = i + 1;
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (candidates - i));
    const picked = order[j] as number;
    order[j] = order[i] as number;
    order[i] = picked;
    chosen.push(picked);
  }
  chosen.sort((a, b) => a - b);
  chosen.forEach((index, n) => {
    const user = company.users[index] as LuccaUser;
    const reason = REASONS[n % REASONS.length] as InvalidReason;
    breakRecord(company, user, reason, n);
    company.invalidUserIds.push({ userId: user.id, reason });
  });
}

function breakRecord(company: Company, user: LuccaUser, reason: InvalidReason, n: number): void {
  if (reason === 'bad-email') {
    const local = `${emailPart(user.firstName)}.${emailPart(user.lastName ?? '')}`.toLowerCase();
    user.mail = n % 2 === 0 ? `${local}@` : `${local}.${company.domain.toLowerCase()}`;
  } else if (reason === 'missing-last-name') {
    user.lastName = n % 2 === 0 ? '' : null;
  } else {
    user.birthDate = addDays(company.asOf, 30 + (n % 3000));
  }
}
