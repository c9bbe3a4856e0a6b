/**
 * HR-file sections and their custom fields (Lucca's `extendedData`, keys prefixed `e_`), and one
 * analytical axis, for the simulated tenant. Sources: developers.lucca.fr "Extended Data" (values
 * served inside `extendedData` as `{ id, value }`; a list field's value is its list entry id; date
 * fields as `YYYY-MM-DDT00:00:00`) and "The user resource" (`userAxisValues_{axisId}`: an axis section).
 *
 * Generated values are derived from the user's id and contract (no random draw), so adding them
 * leaves every other generated value unchanged. Mutations (`update` with `extendedData`) override them.
 */
import type { LuccaUser } from './types.js';

export interface ExtensionDefinition {
  key: string;
  name: string;
  /** The HR-file section holding it: a key's role sees it only with "Consult HR files" › this section. */
  section: string;
  type: 'text' | 'list' | 'date' | 'number';
  /** For `list`: the entries (`extensionUserPropertyListEntries`). */
  entries?: { id: number; name: string }[];
}

export const HR_FILE_SECTIONS = ['État civil', 'Avantages CSE', 'Rémunération'] as const;

export const EXTENSIONS: readonly ExtensionDefinition[] = [
  { key: 'e_cse_college', name: 'Collège CSE', section: 'Avantages CSE', type: 'text' },
  {
    key: 'e_mutuelle_option', name: 'Option mutuelle', section: 'Avantages CSE', type: 'list',
    entries: [{ id: 84, name: 'Base' }, { id: 85, name: 'Confort' }, { id: 86, name: 'Famille' }],
  },
  { key: 'e_badge_date', name: 'Date de remise du badge', section: 'Avantages CSE', type: 'date' },
  { key: 'e_prime_panier', name: 'Prime panier', section: 'Rémunération', type: 'number' },
];

export const EXTENSION_KEYS = EXTENSIONS.map((e) => e.key);

/** The value a user holds for a field: a mutation's, else the generated one (null = no value). */
export function extensionValue(user: LuccaUser, key: string): string | number | null {
  if (user.extendedData && Object.hasOwn(user.extendedData, key)) return user.extendedData[key] ?? null;
  switch (key) {
    case 'e_cse_college': return user.id % 4 === 0 ? 'Cadres' : 'Non-cadres';
    case 'e_mutuelle_option': return [84, 85, 86][user.id % 3] as number;
    case 'e_badge_date': return `${user.dtContractStart}T00:00:00`;
    case 'e_prime_panier': return user.id % 5 === 0 ? null : 6 + (user.id % 3);
    default: return null;
  }
}

/** One analytical axis, "Centre de coût", whose section follows the department. */
export const AXIS = { id: 1, name: 'Centre de coût' } as const;

export function axisSectionOf(user: LuccaUser): { id: number; name: string } {
  const n = user.departmentId % 5;
  return { id: 500 + n, name: `CC-${String(100 + n * 10)}` };
}
