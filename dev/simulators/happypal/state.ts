import {
  type HappyPalAdminState,
  type HappyPalAttributeDefinition,
  type HappyPalHandEditField,
  type HappyPalSeedUserInput,
  type HappyPalUser,
  HappyPalSeedUserInputSchema,
  normalizeEmail,
} from '../../../activities/targets/happypal/schemas.js';
import type { RequestCounter } from '../shared/api-kit.js';
import type { IdempotencyStore } from '../shared/idempotency.js';
import type { HappyPalStore, StoreResult } from './store.js';

/** Thrown by the in-process helpers when HappyPal would have answered an error. */
export class HappyPalStateError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HappyPal simulator: ${status} ${JSON.stringify(body)}`);
    this.name = 'HappyPalStateError';
  }
}

/** Direct, in-process access to the simulator for tests (same effects as the /_admin routes). */
export interface HappyPalState {
  readonly store: HappyPalStore;
  /** Live map id → user (read it, do not write it). */
  readonly users: Map<string, HappyPalUser>;
  handEdit(id: string, field: HappyPalHandEditField, value: string | number | null, by: string): HappyPalUser;
  /** Defines the account's custom attributes (as HappyPal's admin UI does); replaces the previous list. */
  defineAttributes(definitions: HappyPalAttributeDefinition[]): void;
  seedUser(input: HappyPalSeedUserInput): HappyPalUser;
  /**
   * Makes every write on the record with this email answer `status` (400, 409 or 422: refused; 500: a
   * HappyPal failure on that record only, not kept under the idempotency key); null lifts the switch.
   */
  reject(email: string, status: 400 | 409 | 422 | 500 | null): void;
  /**
   * Gives a profile a `status` outside the contract (a HappyPal release with a new status, e.g.
   * `suspended`), as GET /v1/users then lists it: clients must set that profile aside, not fail.
   */
  setUnknownStatus(id: string, status: string): void;
  dump(): HappyPalAdminState;
}

export function createHappyPalState(
  store: HappyPalStore,
  counter: RequestCounter,
  idempotency: IdempotencyStore,
): HappyPalState {
  const unwrap = (result: StoreResult): HappyPalUser => {
    if (!result.ok) throw new HappyPalStateError(result.status, result.body);
    return result.user;
  };
  return {
    store,
    users: store.users,
    handEdit: (id, field, value, by) => unwrap(store.handEdit(id, field, value, by)),
    defineAttributes: (definitions) => store.defineAttributes(definitions),
    seedUser(input) {
      const { status, by, ...rest } = HappyPalSeedUserInputSchema.parse(input);
      return unwrap(
        store.create(rest, { by: `admin:${by ?? 'seed'}`, status: status ?? 'active', honourRejects: false }),
      );
    },
    reject(email, status) {
      if (status === null) store.rejects.delete(normalizeEmail(email));
      else store.rejects.set(normalizeEmail(email), status);
    },
    setUnknownStatus(id, status) {
      const user = store.users.get(id);
      if (!user) throw new Error(`no HappyPal user ${id}`);
      store.users.set(id, { ...user, status: status as HappyPalUser['status'] });
    },
    dump: () => ({
      users: store.all(),
      editLog: [...store.editLog],
      requestCounts: counter.snapshot(),
      idempotencyReplays: idempotency.replays,
    }),
  };
}
