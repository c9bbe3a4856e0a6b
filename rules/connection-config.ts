/**
 * A connection's scope and field mappings as stored (jsonb columns), read back through their zod
 * schemas (the one definition of the format), and the Lucca `fields` they add to the users read.
 */
import { FieldMappingsSchema, luccaFieldsFor, type FieldMapping } from './field-mapping.js';
import { ResolvedScopeSchema, SCOPE_LUCCA_FIELDS, scopeDimensions, type ResolvedScope } from './scope.js';

export function storedScope(value: unknown): ResolvedScope | null {
  if (value === null || value === undefined) return null;
  return ResolvedScopeSchema.parse(value);
}

export function storedMappings(value: unknown): FieldMapping[] {
  return FieldMappingsSchema.parse(value ?? []);
}

/** The v3 user fields to read: the connector's own, plus what the scope and the mappings need. */
export function usersFields(base: readonly string[], scope: ResolvedScope | null, mappings: readonly FieldMapping[]): string[] {
  const extra = [...scopeDimensions(scope).map((d) => SCOPE_LUCCA_FIELDS[d]), ...luccaFieldsFor(mappings)];
  return [...new Set([...base, ...extra])];
}
