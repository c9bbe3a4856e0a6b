import type { FieldErrors } from './field-errors.js';

/** A custom attribute defined on a target account (HappyPal profiles, Reflect employees). */
export interface AttributeDefinition {
  key: string;
  type: 'text' | 'date' | 'number' | 'enum';
  values?: string[] | undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const realDate = (s: string) => DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/**
 * Custom attribute values against the account's definitions (docs/happypal-api.md and
 * docs/reflect-api.md "Custom attributes"): an unknown key is `unknown attribute`; a value of the
 * wrong type names the type it must have. null (clear) is always allowed. Errors keyed `custom_attributes.<key>`.
 */
export function checkCustomAttributes(definitions: ReadonlyMap<string, AttributeDefinition>, attributes: Record<string, unknown>): FieldErrors | null {
  const fields: FieldErrors = {};
  for (const [key, value] of Object.entries(attributes)) {
    const path = `custom_attributes.${key}`;
    const def = definitions.get(key);
    if (!def) {
      fields[path] = ['unknown attribute'];
      continue;
    }
    if (value === null) continue;
    if (def.type === 'number') {
      if (typeof value !== 'number' || !Number.isFinite(value)) fields[path] = ['must be a number'];
    } else if (typeof value !== 'string') fields[path] = ['must be a string'];
    else if (def.type === 'text' && (value.trim() === '' || value.length > 500)) fields[path] = ['must be a text of 1 to 500 characters'];
    else if (def.type === 'date' && !realDate(value)) fields[path] = ['must be a valid date (YYYY-MM-DD)'];
    else if (def.type === 'enum' && !(def.values ?? []).includes(value)) fields[path] = [`must be one of: ${(def.values ?? []).join(', ')}`];
  }
  return Object.keys(fields).length > 0 ? fields : null;
}
