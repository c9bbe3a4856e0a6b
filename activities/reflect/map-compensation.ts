/**
 * Pagga remuneration items (reference/lucca-api.md §3c, v4 envelope) → Reflect `compensation`
 * records. Fixed items (BASIC_SALARY…) carry `startsOn`/`endsOn`; variable items (BONUS…) a
 * `period` and `isDeleted`, which becomes a deletion. Fixed and variable ids are separate sequences
 * in Lucca, so the external id says which: `fixed-12`, `variable-12`. Pure.
 */
import { dateOf, idOf, isObject, validated, type Mapped, type Reason } from './model.js';

/** Pagga sends the currency on the nature's establishments; variable natures may not carry one. */
export const DEFAULT_CURRENCY = 'EUR';

const malformed = (id: string, what: string): Mapped => ({
  kind: 'invalid', id, reasons: [{ code: 'malformed_record', message: `${what} is not a remuneration item with an id` }],
});

function ownerOf(item: Record<string, unknown>): string | null {
  const direct = idOf(item.ownerId);
  if (direct) return direct;
  if (isObject(item.owner)) return idOf(item.owner.id);
  if (isObject(item.workContract)) return idOf(item.workContract.ownerId);
  return null;
}

function categoryOf(item: Record<string, unknown>): unknown {
  const nature = isObject(item.nature) ? item.nature : {};
  return isObject(nature.category) ? nature.category.code : undefined;
}

/** The currency of a fixed item (its nature's first establishment), or null. */
export function fixedItemCurrency(raw: unknown): string | null {
  if (!isObject(raw) || !isObject(raw.nature) || !Array.isArray(raw.nature.establishments)) return null;
  const first: unknown = raw.nature.establishments[0];
  return isObject(first) && typeof first.currencyCode === 'string' ? first.currencyCode : null;
}

/** Whose item it is, for the currency of variable items (from the same person's fixed items). */
export function remunerationOwner(raw: unknown): string | null {
  return isObject(raw) ? ownerOf(raw) : null;
}

const missingOwner = (reasons: Reason[], owner: string | null) => {
  if (owner === null) reasons.push({ code: 'invalid_value', field: 'employee_external_id', message: 'the item has no owner' });
};

export function mapFixedItem(raw: unknown, position: number): Mapped {
  const lucca = isObject(raw) ? idOf(raw.id) : null;
  if (!isObject(raw) || lucca === null) return malformed(`fixed-malformed-at-${position}`, 'fixed item');
  const id = `fixed-${lucca}`;
  const owner = ownerOf(raw);
  const reasons: Reason[] = [];
  missingOwner(reasons, owner);
  return validated('compensation', id, {
    external_id: id,
    employee_external_id: owner ?? '',
    kind: 'fixed',
    category: categoryOf(raw),
    amount: raw.amount,
    currency: fixedItemCurrency(raw) ?? DEFAULT_CURRENCY,
    starts_on: dateOf(raw.startsOn),
    ends_on: dateOf(raw.endsOn),
    period: null,
  }, reasons);
}

/** `currencyOf(owner)`: the currency of that person's fixed pay, when known. */
export function mapVariableItem(raw: unknown, position: number, currencyOf: (owner: string) => string | null): Mapped {
  const lucca = isObject(raw) ? idOf(raw.id) : null;
  if (!isObject(raw) || lucca === null) return malformed(`variable-malformed-at-${position}`, 'variable item');
  const id = `variable-${lucca}`;
  if (raw.isDeleted === true) return { kind: 'gone', id };
  const owner = ownerOf(raw);
  const reasons: Reason[] = [];
  missingOwner(reasons, owner);
  return validated('compensation', id, {
    external_id: id,
    employee_external_id: owner ?? '',
    kind: 'variable',
    category: categoryOf(raw),
    amount: raw.amount,
    currency: (owner && currencyOf(owner)) ?? DEFAULT_CURRENCY,
    starts_on: null,
    ends_on: null,
    period: dateOf(raw.period),
  }, reasons);
}
