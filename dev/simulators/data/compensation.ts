import type { Company } from './company-model.js';
import { addDays, DAY_MS, dateToMs } from './dates.js';
import { intBetween, rngFor } from './random.js';
import { FIXED_NATURE, VARIABLE_NATURE, type FixedItem, type LegalEntity, type LuccaUser } from './types.js';

const SALT_FIXED = 11;

/**
 * Establishments, as Pagga's natures and the v4 work contracts name them: one per legal entity (same
 * id). A Swiss entity (code `CH…`) pays in CHF, the others in EUR. Every nature is shared by every
 * establishment, so a nature's `establishments` lists both currencies when the company has both.
 */
export function establishmentCurrency(entity: LegalEntity): { currencyCode: string; currencySymbol: string } {
  return entity.code.startsWith('CH') ? { currencyCode: 'CHF', currencySymbol: 'CHF' } : { currencyCode: 'EUR', currencySymbol: '€' };
}

/** A person's work contract id (one contract per person in the model): what their pay items are linked to. */
export const workContractIdOf = (ownerId: number) => ownerId * 10 + 1;

/**
 * Compensation of one user (own RNG stream): 1–3 BASIC_SALARY items chained from the contract start
 * (the last one open-ended or closed with the contract), and 0–2 BONUS items over the last year,
 * about 7 % of them deleted.
 */
export function generateCompensation(company: Company, user: LuccaUser): void {
  const rng = rngFor(company.seed, user.id, SALT_FIXED);
  const lastDay = user.dtContractEnd ?? company.asOf;
  const spanDays = Math.max(0, Math.round((dateToMs(lastDay) - dateToMs(user.dtContractStart)) / DAY_MS));
  const count = spanDays < 400 ? 1 : intBetween(rng, 1, 3);
  let amount = intBetween(rng, 190, 750) * 10;
  let startsOn = user.dtContractStart;
  for (let i = 0; i < count; i++) {
    const isLast = i === count - 1;
    const nextStart = isLast ? null : addDays(startsOn, Math.max(1, Math.floor((spanDays / count) * (0.8 + rng() * 0.4))));
    const endsOn = isLast ? user.dtContractEnd : addDays(nextStart as string, -1);
    company.fixedItems.push(fixedItem(company.next.fixedItemId++, user.id, amount, startsOn, endsOn));
    if (nextStart) startsOn = nextStart;
    amount = Math.round((amount * (1.02 + rng() * 0.06)) / 10) * 10;
  }
  const bonuses = user.dtContractStart > company.asOf ? 0 : intBetween(rng, 0, 2);
  for (let i = 0; i < bonuses; i++) {
    const period = `${addDays(company.asOf, -intBetween(rng, 0, 364)).slice(0, 7)}-01`;
    if (period < user.dtContractStart.slice(0, 7) || (user.dtContractEnd && period > user.dtContractEnd)) continue;
    company.variableItems.push({
      id: company.next.variableItemId++,
      ownerId: user.id,
      amount: intBetween(rng, 20, 500) * 10,
      period,
      natureId: VARIABLE_NATURE.id,
      comments: rng() < 0.5 ? 'Prime annuelle sur objectifs' : null,
      isDeleted: rng() < 0.07,
      modifiedAt: dateToMs(period) + 9 * 3_600_000,
    });
  }
}

export function fixedItem(id: number, ownerId: number, amount: number, startsOn: string, endsOn: string | null): FixedItem {
  return {
    id,
    ownerId,
    amount,
    startsOn,
    endsOn,
    natureId: FIXED_NATURE.id,
    workContractId: workContractIdOf(ownerId),
    comment: null,
    modifiedAt: dateToMs(startsOn) + 9 * 3_600_000,
  };
}
