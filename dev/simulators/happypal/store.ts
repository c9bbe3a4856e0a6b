import type { z } from 'zod';
import {
  type HappyPalAttributeDefinition,
  type HappyPalHandEditField,
  type HappyPalEditLogEntry,
  type HappyPalEditableField,
  type HappyPalErrorBody,
  type HappyPalUpdatedBy,
  type HappyPalUser,
  type HappyPalUserList,
  type HappyPalUserStatus,
  type HappyPalCreateUserInputSchema,
  HappyPalUpdateUserInputSchema,
  normalizeEmail,
} from '../../../activities/targets/happypal/schemas.js';
import { type FieldErrors, zodFieldErrors } from '../shared/field-errors.js';
import { insertSorted, removeSorted } from '../shared/sorted-ids.js';
import { checkCustomAttributes } from '../shared/custom-attributes.js';

export type ParsedCreateUser = z.output<typeof HappyPalCreateUserInputSchema>;
export type ParsedUpdateUser = z.output<typeof HappyPalUpdateUserInputSchema>;
export type StoreResult =
  | { ok: true; user: HappyPalUser }
  | { ok: false; status: 400 | 404 | 409 | 422 | 500; body: HappyPalErrorBody };
export interface ListQuery {
  page: number;
  per_page: number;
  email?: string | undefined;
  status?: HappyPalUserStatus | undefined;
}

const COMPARED = ['external_id', 'first_name', 'last_name', 'email', 'birth_date', 'contract_start',
  'contract_end', 'status'] as const;

const sameAttributes = (a: HappyPalUser['custom_attributes'], b: HappyPalUser['custom_attributes']) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if ((a[k] ?? null) !== (b[k] ?? null)) return false;
  return true;
};
const idOf = (n: number): string => `hp_usr_${n}`;
const numOf = (id: string): number => Number(id.slice('hp_usr_'.length));

const withoutNulls = (attributes: Record<string, string | number | null>) =>
  Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== null));

const fail = (status: 400 | 404 | 409 | 422 | 500, code: string, message: string, extra: object = {}): StoreResult => ({
  ok: false,
  status,
  body: { error: { code, message, ...extra } },
});
const invalid = (fields: FieldErrors): StoreResult =>
  fail(422, 'validation_failed', 'The user is invalid', { fields });
const notFound = (id: string): StoreResult => fail(404, 'not_found', `No user ${id}`);

/**
 * HappyPal's users, in memory, indexed for 100k-user runs: id map, normalised-email map, and id lists
 * kept in id order (all users, and per status) so a list page is a slice, never a sort.
 */
export class HappyPalStore {
  readonly users = new Map<string, HappyPalUser>();
  readonly editLog: HappyPalEditLogEntry[] = [];
  /**
   * Test switch: normalised email → status every write touching that record answers. 409 and 422 are
   * refusals of the record; 500 is a HappyPal bug on that one record (transient to the client, but
   * it never passes), while every other write succeeds.
   */
  readonly rejects = new Map<string, 400 | 409 | 422 | 500>();
  /** The account's custom attributes (HappyPal admin UI, Settings › Profile fields), by key. */
  readonly attributes = new Map<string, HappyPalAttributeDefinition>();
  private byEmail = new Map<string, string>();
  private ordered: number[] = [];
  private byStatus: Record<HappyPalUserStatus, number[]> = { active: [], inactive: [] };
  private nextId = 1;

  constructor(private readonly now: () => Date = () => new Date()) {}

  list(query: ListQuery): HappyPalUserList {
    let ids: readonly number[] = query.status ? this.byStatus[query.status] : this.ordered;
    if (query.email !== undefined) {
      const user = this.users.get(this.byEmail.get(normalizeEmail(query.email)) ?? '');
      ids = user && (!query.status || user.status === query.status) ? [numOf(user.id)] : [];
    }
    const start = (query.page - 1) * query.per_page;
    const data = ids.slice(start, start + query.per_page).flatMap((n) => this.users.get(idOf(n)) ?? []);
    const next_page = start + query.per_page < ids.length ? query.page + 1 : null;
    return { data, meta: { page: query.page, per_page: query.per_page, total: ids.length, next_page } };
  }

  create(
    input: ParsedCreateUser,
    opts: { by?: HappyPalUpdatedBy; status?: HappyPalUserStatus; honourRejects?: boolean } = {},
  ): StoreResult {
    const fields = this.checkRules(input) ?? this.checkAttributes(input.custom_attributes ?? {});
    if (fields) return invalid(fields);
    const rejected = opts.honourRejects === false ? null : this.rejection(input.email);
    if (rejected) return rejected;
    const taken = this.byEmail.get(normalizeEmail(input.email));
    if (taken) return this.emailTaken(taken);
    const n = this.nextId++;
    const at = this.now().toISOString();
    const status = opts.status ?? 'active';
    const user: HappyPalUser = {
      id: idOf(n),
      external_id: input.external_id ?? null,
      first_name: input.first_name,
      last_name: input.last_name,
      email: input.email,
      birth_date: input.birth_date ?? null,
      contract_start: input.contract_start ?? null,
      contract_end: input.contract_end ?? null,
      status,
      custom_attributes: withoutNulls(input.custom_attributes ?? {}),
      created_at: at,
      updated_at: at,
      updated_by: opts.by ?? 'api',
    };
    this.users.set(user.id, user);
    this.byEmail.set(normalizeEmail(user.email), user.id);
    this.ordered.push(n);
    this.byStatus[status].push(n);
    return { ok: true, user };
  }

  update(id: string, patch: ParsedUpdateUser, by: HappyPalUpdatedBy = 'api', honourRejects = true): StoreResult {
    const current = this.users.get(id);
    if (!current) return notFound(id);
    const { custom_attributes: attributes, ...rest } = patch;
    const defined = Object.entries(rest).filter(([, v]) => v !== undefined);
    const next: HappyPalUser = { ...current, ...(Object.fromEntries(defined) as Partial<HappyPalUser>) };
    // Custom attributes merge key by key; null clears one.
    if (attributes) next.custom_attributes = withoutNulls({ ...current.custom_attributes, ...attributes });
    const fields = this.checkRules(next) ?? this.checkAttributes(attributes ?? {});
    if (fields) return invalid(fields);
    const rejected = honourRejects ? (this.rejection(current.email) ?? this.rejection(next.email)) : null;
    if (rejected) return rejected;
    const owner = this.byEmail.get(normalizeEmail(next.email));
    if (owner !== undefined && owner !== id) return this.emailTaken(owner);
    return { ok: true, user: this.replace(current, next, by) };
  }

  /** Deactivate / reactivate: idempotent, an unchanged user is returned as is. */
  setStatus(id: string, status: HappyPalUserStatus, honourRejects = true): StoreResult {
    const current = this.users.get(id);
    if (!current) return notFound(id);
    const rejected = honourRejects ? this.rejection(current.email) : null;
    if (rejected) return rejected;
    return { ok: true, user: this.replace(current, { ...current, status }, 'api') };
  }

  /** A change made in HappyPal's own UI: validated like the API, logged with who and when. */
  handEdit(id: string, field: HappyPalHandEditField, value: string | number | null, by: string): StoreResult {
    const attribute = field.startsWith('custom_attributes.') ? field.slice('custom_attributes.'.length) : null;
    const body = attribute === null ? { [field]: value } : { custom_attributes: { [attribute]: value } };
    const parsed = HappyPalUpdateUserInputSchema.safeParse(body, { reportInput: true });
    if (!parsed.success) return invalid(zodFieldErrors(parsed.error));
    const before = this.users.get(id);
    const result = this.update(id, parsed.data, `admin:${by}`, false);
    const read = (u: HappyPalUser) => (attribute === null ? u[field as HappyPalEditableField] : (u.custom_attributes[attribute] ?? null));
    if (result.ok && before && result.user !== before) {
      this.editLog.push({
        user_id: id,
        field,
        old_value: read(before),
        new_value: read(result.user),
        by: `admin:${by}`,
        at: result.user.updated_at,
      });
    }
    return result;
  }

  /** Defines (or redefines) the account's custom attributes; existing values stay as they are. */
  defineAttributes(definitions: readonly HappyPalAttributeDefinition[]): void {
    this.attributes.clear();
    for (const d of definitions) this.attributes.set(d.key, d);
  }

  /** Users in id order. */
  all(): HappyPalUser[] {
    return this.ordered.flatMap((n) => this.users.get(idOf(n)) ?? []);
  }

  reset(): void {
    this.users.clear();
    this.attributes.clear();
    this.byEmail.clear();
    this.rejects.clear();
    this.editLog.length = 0;
    this.ordered = [];
    this.byStatus = { active: [], inactive: [] };
    this.nextId = 1;
  }

  /** Applies `next` when a compared field differs; stamps updated_at / updated_by; keeps indexes in step. */
  private replace(current: HappyPalUser, next: HappyPalUser, by: HappyPalUpdatedBy): HappyPalUser {
    if (COMPARED.every((k) => current[k] === next[k]) && sameAttributes(current.custom_attributes, next.custom_attributes)) return current;
    const user: HappyPalUser = { ...next, updated_at: this.now().toISOString(), updated_by: by };
    const oldKey = normalizeEmail(current.email);
    const newKey = normalizeEmail(user.email);
    if (oldKey !== newKey) {
      this.byEmail.delete(oldKey);
      this.byEmail.set(newKey, user.id);
    }
    if (current.status !== user.status) {
      removeSorted(this.byStatus[current.status], numOf(user.id));
      insertSorted(this.byStatus[user.status], numOf(user.id));
    }
    this.users.set(user.id, user);
    return user;
  }

  private checkRules(u: {
    birth_date?: string | null | undefined;
    contract_start?: string | null | undefined;
    contract_end?: string | null | undefined;
  }): FieldErrors | null {
    const fields: FieldErrors = {};
    const today = this.now().toISOString().slice(0, 10);
    if (u.birth_date && u.birth_date > today) fields.birth_date = ['must not be in the future'];
    if (u.birth_date && u.birth_date < '1900-01-01') fields.birth_date = ['must be on or after 1900-01-01'];
    if (u.contract_start && u.contract_end && u.contract_end < u.contract_start) {
      fields.contract_end = ['must be on or after contract_start'];
    }
    return Object.keys(fields).length > 0 ? fields : null;
  }

  private checkAttributes(attributes: Record<string, string | number | null>): FieldErrors | null {
    return checkCustomAttributes(this.attributes, attributes);
  }

  private rejection(email: string): StoreResult | null {
    const status = this.rejects.get(normalizeEmail(email));
    if (status === 400) return fail(400, 'bad_request', 'HappyPal cannot take this record', { fields: { email: ['is refused by HappyPal'] } });
    if (status === 409) return this.emailTaken(this.byEmail.get(normalizeEmail(email)) ?? null);
    if (status === 422) return invalid({ email: ['is rejected by HappyPal'] });
    if (status === 500) return fail(500, 'internal', 'Internal server error');
    return null;
  }

  private emailTaken(existing: string | null): StoreResult {
    return fail(409, 'email_taken', 'A user with this email already exists', { existing_user_id: existing });
  }
}
