import type { Dispatcher } from 'undici';
import { SyncError } from '../../errors.js';
import { send, throwForTransient, unexpectedShape, type HttpRequest, type HttpResponse } from '../http.js';
import {
  HappyPalErrorBodySchema,
  HappyPalUserListSchema,
  HappyPalUserSchema,
  type HappyPalCreateUserInput,
  type HappyPalUpdateUserInput,
  type HappyPalUser,
  type HappyPalUserList,
} from './schemas.js';

/** A write the target refused for this record only (409, 422, 404): reported, the run goes on. */
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
  listUsers(page: number, perPage: number, signal?: AbortSignal): Promise<HappyPalUserList>;
  createUser(input: HappyPalCreateUserInput, idempotencyKey: string): Promise<WriteResult>;
  updateUser(id: string, patch: HappyPalUpdateUserInput, idempotencyKey: string): Promise<WriteResult>;
  deactivateUser(id: string, idempotencyKey: string): Promise<WriteResult>;
  reactivateUser(id: string, idempotencyKey: string): Promise<WriteResult>;
}

export function createHappyPalClient(options: { baseUrl: string; apiKey: string; dispatcher: Dispatcher }): HappyPalClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const call = async (req: Omit<HttpRequest, 'url'> & { path: string }, idempotencyKey?: string) => {
    const res = await send(options.dispatcher, 'happypal', {
      ...req,
      url: `${base}${req.path}`,
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
      },
    });
    throwForTransient('happypal', res);
    if (res.status === 401 || res.status === 403) {
      throw new SyncError(
        'happypal_unauthorized',
        `HappyPal refused the API key (${res.status}). Check the connection's HappyPal key and update it.`,
        false,
      );
    }
    return res;
  };
  const write = async (req: Omit<HttpRequest, 'url'> & { path: string }, key: string): Promise<WriteResult> => {
    const res = await call(req, key);
    if (res.status === 200 || res.status === 201) return { ok: true, user: parseUser(res, req) };
    return rejection(res);
  };

  return {
    async listUsers(page, perPage, signal) {
      const res = await call({ method: 'GET', path: `/v1/users?page=${page}&per_page=${perPage}`, ...(signal && { signal }) });
      if (res.status !== 200) throw new SyncError('happypal_unexpected_status', `HappyPal answered ${res.status} to GET /v1/users.`, false);
      const parsed = HappyPalUserListSchema.safeParse(res.body);
      if (!parsed.success) throw unexpectedShape('happypal', 'GET', '/v1/users', res, 'a users page');
      return parsed.data;
    },
    createUser: (input, key) => write({ method: 'POST', path: '/v1/users', json: input }, key),
    updateUser: (id, patch, key) =>
      write({ method: 'PATCH', path: `/v1/users/${encodeURIComponent(id)}`, json: patch }, key),
    deactivateUser: (id, key) => write({ method: 'POST', path: `/v1/users/${encodeURIComponent(id)}/deactivate` }, key),
    reactivateUser: (id, key) => write({ method: 'POST', path: `/v1/users/${encodeURIComponent(id)}/reactivate` }, key),
  };
}

function parseUser(res: HttpResponse, req: { method: string; path: string }): HappyPalUser {
  const parsed = HappyPalUserSchema.safeParse(res.body);
  if (!parsed.success) throw unexpectedShape('happypal', req.method, req.path, res, 'a user');
  return parsed.data;
}

function rejection(res: HttpResponse): RecordRejection {
  if (res.status !== 404 && res.status !== 409 && res.status !== 422) {
    throw new SyncError('happypal_unexpected_status', `HappyPal answered ${res.status} to a write.`, false);
  }
  const body = HappyPalErrorBodySchema.safeParse(res.body);
  const code = body.success ? body.data.error.code : `http_${res.status}`;
  const fields = body.success && body.data.error.fields ? ` (fields: ${Object.keys(body.data.error.fields).join(', ')})` : '';
  return { ok: false, status: res.status, code, message: `HappyPal refused the record: ${code}${fields}` };
}
