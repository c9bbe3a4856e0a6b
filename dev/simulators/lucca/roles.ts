import { z } from 'zod';

/**
 * What an API key's dedicated role lets it read. Lists filter silently (no error): people the role
 * may not see are left out and `birthDate` is hidden (left out, or `null`: see HiddenAsSchema).
 * Module flags gate whole endpoints (403).
 */
export const RoleSchema = z.object({
  /** "See former employees". */
  seeFormer: z.boolean().default(false),
  /** "See future employees". */
  seeFuture: z.boolean().default(false),
  /** "Consult HR files" (with the section holding the birth date). */
  hrFileSections: z.boolean().default(false),
  /**
   * Which HR-file sections "Consult HR files" covers: "All items" (`all`), or the sections picked
   * (data/extensions.ts HR_FILE_SECTIONS). A custom field (`extendedData.e_…`) of a section the role
   * does not cover is left out of `extendedData`, whatever `hiddenAs` says.
   */
  hrSections: z.union([z.literal('all'), z.array(z.string())]).default('all'),
  /** Timmi Absences: /api/v3/leaves, /api/v3/leaveRequests. */
  leaves: z.boolean().default(false),
  /** Cleemy Expenses: /api/v3/expenseClaims. */
  expenses: z.boolean().default(false),
  /** Pagga Compensation "Consult individual situations": /remuneration/api/*. */
  pagga: z.boolean().default(false),
});
export type Role = z.infer<typeof RoleSchema>;
export type Module = 'leaves' | 'expenses' | 'pagga';

export const FULL_ROLE: Role = {
  seeFormer: true, seeFuture: true, hrFileSections: true, hrSections: 'all', leaves: true, expenses: true, pagga: true,
};

/** A HappyPal-style marketplace key: Core HR with birth dates, former and future employees, no modules. */
export const CORE_HR_ROLE: Role = {
  seeFormer: true, seeFuture: true, hrFileSections: true, hrSections: 'all', leaves: false, expenses: false, pagga: false,
};

/** Whether the role may read the custom fields of an HR-file section. */
export function seesSection(role: Role, section: string): boolean {
  return role.hrFileSections && (role.hrSections === 'all' || role.hrSections.includes(section));
}

/**
 * How a field the role may not read is served. Lucca does both, depending on the resource
 * (docs/lucca-api.md §1a: silent filtering): the property is left out, or it is there with `null`.
 */
export const HiddenAsSchema = z.enum(['omitted', 'null']);
export type HiddenAs = z.infer<typeof HiddenAsSchema>;

export const ApiKeySchema = z.object({
  key: z.string().min(1),
  /** Shown as `header.principal`; defaults to the key's position (`api-key-1`). */
  name: z.string().optional(),
  /** Flags left out are false; a key without a role gets FULL_ROLE. */
  role: RoleSchema.partial().optional(),
  /** How hidden fields are served to this key (default: left out). */
  hiddenAs: HiddenAsSchema.optional(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

export interface ResolvedKey {
  key: string;
  name: string;
  role: Role;
  hiddenAs: HiddenAs;
}

export function resolveKey(input: ApiKey, index: number): ResolvedKey {
  const parsed = ApiKeySchema.parse(input);
  return {
    key: parsed.key,
    name: parsed.name ?? `api-key-${index + 1}`,
    role: parsed.role ? RoleSchema.parse(parsed.role) : { ...FULL_ROLE },
    hiddenAs: parsed.hiddenAs ?? 'omitted',
  };
}

const SCHEME = /^\s*lucca\s+application\s*=\s*(\S+)\s*$/i;

/** The key from `Authorization: lucca application=<key>` (scheme matched case-insensitively), or null. */
export function keyFromHeader(header: string | undefined): string | null {
  if (!header) return null;
  return SCHEME.exec(header)?.[1] ?? null;
}
