import type { HappyPalCreateUserInput, HappyPalUpdateUserInput, HappyPalUser } from './schemas.js';
import { apiFields, type Person, type SyncedField } from '../../../rules/person.js';

/** Our field → HappyPal's field (docs/happypal-api.md). */
export const HAPPYPAL_FIELD: Record<SyncedField, keyof HappyPalUpdateUserInput & string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  birthDate: 'birth_date',
  contractStart: 'contract_start',
  contractEnd: 'contract_end',
};

export function personFromHappyPal(user: HappyPalUser): Person {
  return {
    firstName: user.first_name,
    lastName: user.last_name,
    email: user.email,
    birthDate: user.birth_date,
    contractStart: user.contract_start,
    contractEnd: user.contract_end,
  };
}

export function happyPalCreateInput(person: Person, externalId: string): HappyPalCreateUserInput {
  return { ...apiFields(person), external_id: externalId };
}

export function happyPalPatch(patch: Partial<Person>): HappyPalUpdateUserInput {
  const out: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(patch) as [SyncedField, string | null][]) out[HAPPYPAL_FIELD[field]] = value;
  return out as HappyPalUpdateUserInput;
}
