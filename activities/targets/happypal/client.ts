import type { Dispatcher } from 'undici';
import { SyncError } from '../../errors.js';
import { unexpectedShape, type HttpResponse } from '../../http/http.js';
import type { RateLimiter } from '../../http/rate-limiter.js';
import { targetApi, type TargetRequest } from '../../http/target-api.js';
import {
  HappyPalAttributeListSchema,
  type HappyPalAttributeDefinition,
  HappyPalErrorBodySchema,
  HappyPalUserPageEnvelopeSchema,
  HappyPalUserSchema,
  profileProblems,
  type HappyPalCreateUserInput,
  type HappyPalPageMeta,
  type HappyPalUpdateUserInput,
  type HappyPalUser,
} from './schemas.js';

/** A profile that does not match HappyPal's contract (e.g. an unknown `status`): kept out of matching and writing. */
export interface UnreadableProfile {
  /** Its id when it has a usable one. */
  id: string | null;
  /** Position on its page. */
  position: number;
  /** Its email when it is a string (so the Lucca employee it belongs to is not offered a second profile). */
  email: string | null;
  /** Faulty fields and the kind of fault (profileProblems), no values. */
  problems: string[];
}

/** One page of profiles: those that match the contract, and those that do not, each on its own. */
export interface HappyPalUsersPage {
  data: HappyPalUser[];
  unreadable: UnreadableProfile[];
  meta: HappyPalPageMeta;
}

/** A write the target refused for this record only (400, 404, 409, 422): reported, the run goes on. */
export interface RecordRejection {
  ok: false;
  status: number;
  code: string;
  /** HappyPal's own message plus field names; no values. */
  message: string;
}
export type WriteResult = { ok: true; user: HappyPalUser } | RecordRejection;

/** The typed surface of HappyPal's API (docs/happypal-api.md). Every write carries an idempotency key. */
export interface HappyPalClient {
  /** `email`: only the profiles with that email (HappyPal compares it trimmed, NFC, case-insensitively). */
  listUsers(page: number, perPage: number, signal?: AbortSignal, email?: string): Promise<HappyPalUsersPage>;
  /** One profile by id, parsed like a page's (an unreadable one is set aside); null when HappyPal has none (404). */
  getUser(id: string, signal?: AbortSignal): Promise<{ user: HappyPalUser } | { unreadable: UnreadableProfile } | null>;
  createUser(input: HappyPalCreateUserInput, idempotencyKey: string): Promise<WriteResult>;
  updateUser(id: string, patch: HappyPalUpdateUserInput, idempotencyKey: string): Promise<WriteResult>;
  deactivateUser(id: string, idempotencyKey: string): Promise<WriteResult>;
  reactivateUser(id: string, idempotencyKey: string): Promise<WriteResult>;
  /** The account's custom attributes (docs/happypal-api.md "Custom attributes"). */
  listCustomAttributes(signal?: AbortSignal): Promise<HappyPalAttributeDefinition[]>;
}

export function createHappyPalClient(options: {
  baseUrl: string;
  apiKey: string;
  dispatcher: Dispatcher;
  /** The write budget of the target host, shared by every worker and connection (TARGET_WRITES_PER_MINUTE). */
  writeLimiter?: RateLimiter;
}): HappyPalClient {
  const { call, writeBucket } = targetApi({ ...options, target: 'happypal', checkKey: "Check the connection's HappyPal key and update it." });
  const write = async (req: TargetRequest, key: string): Promise<WriteResult> => {
    await options.writeLimiter?.acquire(writeBucket);
    const res = await call(req, key);
    if (res.status === 200 || res.status === 201) return { ok: true, user: parseUser(res, req) };
    return rejection(res);
  };

  return {
    async listUsers(page, perPage, signal, email) {
      const filter = email === undefined ? '' : `&email=${encodeURIComponent(email)}`;
      const res = await call({ method: 'GET', path: `/v1/users?page=${page}&per_page=${perPage}${filter}`, ...(signal && { signal }) });
      if (res.status !== 200) throw new SyncError('happypal_unexpected_status', `HappyPal answered ${res.status} to GET /v1/users.`, false);
      // The envelope is parsed strictly (a page we cannot read is no page); each profile on its own,
      // so one profile with, say, an unknown status is set aside instead of failing the whole read.
      const parsed = HappyPalUserPageEnvelopeSchema.safeParse(res.body);
      if (!parsed.success) throw unexpectedShape('happypal', 'GET', '/v1/users', res, 'a users page');
      const out: HappyPalUsersPage = { data: [], unreadable: [], meta: parsed.data.meta };
      parsed.data.data.forEach((raw, position) => {
        const user = HappyPalUserSchema.safeParse(raw);
        if (user.success) return void out.data.push(user.data);
        out.unreadable.push(unreadableProfile(raw, position));
      });
      return out;
    },
    async getUser(id, signal) {
      const path = `/v1/users/${encodeURIComponent(id)}`;
      const res = await call({ method: 'GET', path, ...(signal && { signal }) });
      if (res.status === 404) return null;
      if (res.status !== 200) throw new SyncError('happypal_unexpected_status', `HappyPal answered ${res.status} to GET /v1/users/:id.`, false);
      if (typeof res.body !== 'object' || res.body === null || Array.isArray(res.body)) throw unexpectedShape('happypal', 'GET', '/v1/users/:id', res, 'a user');
      const user = HappyPalUserSchema.safeParse(res.body);
      return user.success ? { user: user.data } : { unreadable: unreadableProfile(res.body, 0) };
    },
    async listCustomAttributes(signal) {
      const res = await call({ method: 'GET', path: '/v1/custom-attributes', ...(signal && { signal }) });
      if (res.status !== 200) throw new SyncError('happypal_unexpected_status', `HappyPal answered ${res.status} to GET /v1/custom-attributes.`, false);
      const parsed = HappyPalAttributeListSchema.safeParse(res.body);
      if (!parsed.success) throw unexpectedShape('happypal', 'GET', '/v1/custom-attributes', res, 'a custom attributes list');
      return parsed.data.data;
    },
    createUser: (input, key) => write({ method: 'POST', path: '/v1/users', json: input }, key),
    updateUser: (id, patch, key) =>
      write({ method: 'PATCH', path: `/v1/users/${encodeURIComponent(id)}`, json: patch }, key),
    deactivateUser: (id, key) => write({ method: 'POST', path: `/v1/users/${encodeURIComponent(id)}/deactivate` }, key),
    reactivateUser: (id, key) => write({ method: 'POST', path: `/v1/users/${encodeURIComponent(id)}/reactivate` }, key),
  };
}

function unreadableProfile(raw: unknown, position: number): UnreadableProfile {
  const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    id: typeof record.id === 'string' && /^[\w-]{1,64}$/.test(record.id) ? record.id : null,
    position,
    email: typeof record.email === 'string' ? record.email : null,
    problems: profileProblems(raw),
  };
}

function parseUser(res: HttpResponse, req: { method: string; path: string }): HappyPalUser {
  const parsed = HappyPalUserSchema.safeParse(res.body);
  if (!parsed.success) throw unexpectedShape('happypal', req.method, req.path, res, 'a user');
  return parsed.data;
}

/**
 * 400, 404, 409 and 422 to a write concern that record only: it is reported and the run goes on.
 * The message holds HappyPal's error code and field names, never values.
 */
function rejection(res: HttpResponse): RecordRejection {
  if (res.status !== 400 && res.status !== 404 && res.status !== 409 && res.status !== 422) {
    throw new SyncError('happypal_unexpected_status', `HappyPal answered ${res.status} to a write.`, false);
  }
  const body = HappyPalErrorBodySchema.safeParse(res.body);
  // Only what looks like a code or a field name is repeated: an unexpected body could carry a value.
  const word = (s: string) => /^[A-Za-z][\w.]{0,63}$/.test(s);
  const code = body.success && word(body.data.error.code) ? body.data.error.code : `http_${res.status}`;
  const names = body.success && body.data.error.fields ? Object.keys(body.data.error.fields).filter(word) : [];
  const fields = names.length > 0 ? ` (fields: ${names.join(', ')})` : '';
  return { ok: false, status: res.status, code, message: `HappyPal refused the record (${res.status}): ${code}${fields}` };
}
