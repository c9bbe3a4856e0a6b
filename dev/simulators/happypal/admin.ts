import {
  HappyPalAttributeDefinitionSchema,
  HappyPalHandEditInputSchema,
  HappyPalRejectInputSchema,
  HappyPalSeedUserInputSchema,
} from '../../../activities/targets/happypal/schemas.js';
import { z } from 'zod';
import { parseAdmin } from '../shared/admin-kit.js';
import type { Reply } from '../shared/api-kit.js';
import { type HappyPalState, HappyPalStateError } from './state.js';

/**
 * HappyPal-specific admin routes (under /_admin):
 *   GET  state                  dump for assertions
 *   POST users                  seed a pre-existing profile (as created in HappyPal's UI)
 *   POST users/:id/hand-edit    change one field as an HR admin would in HappyPal's UI
 *   POST custom-attributes      { data: [{ key, type, values? }] } the account's custom attributes (replaces the list)
 *   POST reject                 { email, status: 400 | 409 | 422 | 500 | null } per-record rejection (or failure) switch
 */
export function happyPalAdminRoutes(state: HappyPalState) {
  return (method: string, parts: string[], body: unknown): Reply | null => {
    const [head, id, action] = parts;
    if (method === 'GET' && head === 'state' && parts.length === 1) return { status: 200, body: state.dump() };
    if (method !== 'POST') return null;

    if (head === 'users' && parts.length === 1) {
      const parsed = parseAdmin(HappyPalSeedUserInputSchema, body);
      if (!parsed.ok) return parsed.reply;
      return attempt(201, () => state.seedUser(parsed.data));
    }
    if (head === 'users' && id !== undefined && action === 'hand-edit' && parts.length === 3) {
      const parsed = parseAdmin(HappyPalHandEditInputSchema, body);
      if (!parsed.ok) return parsed.reply;
      const { field, value, by } = parsed.data;
      return attempt(200, () => state.handEdit(decodeURIComponent(id), field, value, by));
    }
    if (head === 'custom-attributes' && parts.length === 1) {
      const parsed = parseAdmin(z.object({ data: z.array(HappyPalAttributeDefinitionSchema) }), body);
      if (!parsed.ok) return parsed.reply;
      state.defineAttributes(parsed.data.data);
      return { status: 200, body: { data: [...state.store.attributes.values()] } };
    }
    if (head === 'reject' && parts.length === 1) {
      const parsed = parseAdmin(HappyPalRejectInputSchema, body);
      if (!parsed.ok) return parsed.reply;
      state.reject(parsed.data.email, parsed.data.status);
      return { status: 200, body: { rejects: Object.fromEntries(state.store.rejects) } };
    }
    return null;
  };
}

function attempt(okStatus: number, run: () => unknown): Reply {
  try {
    return { status: okStatus, body: run() };
  } catch (err) {
    if (err instanceof HappyPalStateError) return { status: err.status, body: err.body };
    throw err;
  }
}
