/**
 * Pagga remuneration items (docs/lucca-api.md §3c, v4 envelope) → Reflect `compensation`
 * records. Fixed items (BASIC_SALARY…) carry `startsOn`/`endsOn`; variable items (BONUS…) a
 * `period`. Fixed and variable ids are separate sequences in Lucca, so the external id says which:
 * `fixed-12`, `variable-12`. Pure.
 *
 * Whose item it is: `workContract.ownerId` (the documented path; `ownerId` / `owner.id` are read too).
 *
 * Its currency: a nature lists the establishments it is used in, each with its `currencyCode`; one
 * nature can be shared by a French and a Swiss establishment. The item's establishment is its work
 * contract's (`workContractId` → `/directory/api/4.0/work-contracts` `establishmentId`), so the
 * currency is that establishment's. When the work contract was not returned, a nature paid in one
 * currency only still says it; otherwise the item is quarantined: never written in a guessed currency.
 *
 * Deleted variable items: Lucca returns them only with `IncludeDeleted=true`, which we do not send;
 * compensation is read whole on every run, so an item Lucca stops returning is deleted from Reflect
 * (diff.ts). An item that does come back with `isDeleted: true` is deleted the same way.
 */
import { dateOf, idOf, isObject, validated, type Mapped, type Reason } from './model.js';

/** What the read says about currencies, beyond each item's own nature. */
export interface CurrencyIndex {
  /** Work contract id → its establishment id (v4 work-contracts). */
  establishmentOf: ReadonlyMap<string, string>;
  /** Establishment id → its currency, from every nature read (an establishment has one currency). */
  currencyOf: ReadonlyMap<string, string>;
}

const CURRENCY = /^[A-Z]{3}$/;

const currencyCode = (v: unknown): string | null => {
  const code = typeof v === 'string' ? v.trim().toUpperCase() : null;
  return code && CURRENCY.test(code) ? code : null;
};

/** `[establishment id, currency]` of a nature's establishments (those with both). */
function natureEstablishments(item: unknown): Array<[string, string]> {
  if (!isObject(item) || !isObject(item.nature) || !Array.isArray(item.nature.establishments)) return [];
  const out: Array<[string, string]> = [];
  for (const e of item.nature.establishments as unknown[]) {
    const id = isObject(e) ? idOf(e.id) : null;
    const code = isObject(e) ? currencyCode(e.currencyCode) : null;
    if (id && code) out.push([id, code]);
  }
  return out;
}

/** Builds the index from the staged work contracts and pay items of one read. */
export function currencyIndex(workContracts: readonly unknown[], items: readonly unknown[]): CurrencyIndex {
  const establishmentOf = new Map<string, string>();
  for (const wc of workContracts) {
    const id = isObject(wc) ? idOf(wc.id) : null;
    const establishment = isObject(wc) ? idOf(wc.establishmentId) : null;
    if (id && establishment) establishmentOf.set(id, establishment);
  }
  const currencyOf = new Map<string, string>();
  for (const item of items) for (const [id, code] of natureEstablishments(item)) currencyOf.set(id, code);
  return { establishmentOf, currencyOf };
}

function workContractOf(item: Record<string, unknown>): string | null {
  return idOf(item.workContractId) ?? (isObject(item.workContract) ? idOf(item.workContract.workContractId) : null);
}

/** The item's currency, or why it cannot be known. */
export function itemCurrency(item: Record<string, unknown>, index: CurrencyIndex): { currency: string } | { reason: Reason } {
  const own = natureEstablishments(item);
  const contract = workContractOf(item);
  const establishment = contract ? index.establishmentOf.get(contract) : undefined;
  if (establishment) {
    const currency = own.find(([id]) => id === establishment)?.[1] ?? index.currencyOf.get(establishment);
    if (currency) return { currency };
    return { reason: unknownCurrency("no nature read names the currency of the item's establishment") };
  }
  const currencies = new Set(own.map(([, code]) => code));
  const [only] = currencies;
  if (currencies.size === 1 && only) return { currency: only };
  const why = contract === null ? 'the item has no work contract' : 'Lucca did not return its work contract';
  return {
    reason: unknownCurrency(currencies.size === 0
      ? `${why}, and its nature names no establishment currency`
      : `${why}, and its nature is paid in ${currencies.size} currencies`),
  };
}

const unknownCurrency = (why: string): Reason => ({
  code: 'currency_unknown', field: 'currency', message: `currency unknown: ${why}; not written in a guessed currency`,
});

const malformed = (id: string, what: string): Mapped => ({
  kind: 'invalid', id, reasons: [{ code: 'malformed_record', message: `${what} is not a remuneration item with an id` }],
});

/** Whose pay item it is (Lucca user id), or null. */
export function compensationOwnerOf(item: Record<string, unknown>): string | null {
  if (isObject(item.workContract)) {
    const owner = idOf(item.workContract.ownerId);
    if (owner) return owner;
  }
  return idOf(item.ownerId) ?? (isObject(item.owner) ? idOf(item.owner.id) : null);
}

function categoryOf(item: Record<string, unknown>): unknown {
  const nature = isObject(item.nature) ? item.nature : {};
  return isObject(nature.category) ? nature.category.code : undefined;
}

/** Owner and currency: the fields both kinds of item share, with the reasons they are unknown. */
function common(raw: Record<string, unknown>, index: CurrencyIndex) {
  const owner = compensationOwnerOf(raw);
  const reasons: Reason[] = [];
  if (owner === null) reasons.push({ code: 'invalid_value', field: 'employee_external_id', message: 'the item has no owner' });
  const currency = itemCurrency(raw, index);
  if ('reason' in currency) reasons.push(currency.reason);
  return {
    // XXX (ISO 4217 "no currency") only keeps the contract check from repeating our reason: the item is invalid anyway.
    fields: { employee_external_id: owner ?? '', category: categoryOf(raw), amount: raw.amount, currency: 'currency' in currency ? currency.currency : 'XXX' },
    reasons,
  };
}

export function mapFixedItem(raw: unknown, position: number, index: CurrencyIndex): Mapped {
  const lucca = isObject(raw) ? idOf(raw.id) : null;
  if (!isObject(raw) || lucca === null) return malformed(`fixed-malformed-at-${position}`, 'fixed item');
  const id = `fixed-${lucca}`;
  const { fields, reasons } = common(raw, index);
  return validated('compensation', id, {
    external_id: id, kind: 'fixed', ...fields, starts_on: dateOf(raw.startsOn), ends_on: dateOf(raw.endsOn), period: null,
  }, reasons);
}

export function mapVariableItem(raw: unknown, position: number, index: CurrencyIndex): Mapped {
  const lucca = isObject(raw) ? idOf(raw.id) : null;
  if (!isObject(raw) || lucca === null) return malformed(`variable-malformed-at-${position}`, 'variable item');
  const id = `variable-${lucca}`;
  if (raw.isDeleted === true) return { kind: 'gone', id };
  const { fields, reasons } = common(raw, index);
  return validated('compensation', id, {
    external_id: id, kind: 'variable', ...fields, starts_on: null, ends_on: null, period: dateOf(raw.period),
  }, reasons);
}
