import { createDispatcher } from '../activities/http/http.js';
import { createLuccaClient } from '../activities/lucca/client.js';
import { unlimited } from '../activities/http/rate-limiter.js';
import { SyncError } from '../activities/errors.js';
import { FIELD_PERMISSION } from '../rules/visibility.js';
import { usersFields } from '../rules/connection-config.js';
import { readSource, sourcePermission, type FieldMapping } from '../rules/field-mapping.js';
import { DIMENSION_LABEL, orgOf, scopeDimensions, type ResolvedScope } from '../rules/scope.js';

/** The six values the HappyPal sync reads, as Lucca names them. */
export const CHECKED_FIELDS = ['firstName', 'lastName', 'mail', 'birthDate', 'dtContractStart', 'dtContractEnd'] as const;

export interface CheckLine {
  level: 'ok' | 'warn' | 'fail';
  text: string;
}

/** What a key could read (counts and field names only), to compare an old key with its replacement. */
export interface AccessSeen {
  fields: string[];
  former: number;
  total: number;
}

export interface LuccaCheck {
  usable: boolean;
  lines: CheckLine[];
  /** Absent when Lucca could not be read (unreachable, key refused). */
  seen?: AccessSeen;
}

/** People counted per check (one page): enough to tell a key that sees far fewer. */
const PAGE = 1000;
/** Below this share of the old key's people, a new key "sees far fewer people". */
const FEWER_PEOPLE_SHARE = 0.9;

/**
 * What a new key sees less than the old one: hidden fields, no former employees where the old key
 * saw some, far fewer people. Empty when it sees as much. Counts and field names only.
 */
export function lessAccess(before: AccessSeen, after: AccessSeen): string[] {
  const less: string[] = [];
  const lost = before.fields.filter((f) => !after.fields.includes(f));
  if (lost.length) less.push(`field${lost.length > 1 ? 's' : ''} ${lost.join(', ')} hidden`);
  if (before.former > 0 && after.former === 0) less.push(`no former employee (the current key sees ${before.former})`);
  if (after.total < before.total * FEWER_PEOPLE_SHARE) less.push(`${after.total} employee(s) instead of ${before.total}`);
  return less;
}

const HIDDEN_BECAUSE: Record<string, string> = {
  birthDate: "the key's role lacks 'Consult HR files' (grant it to the role in Lucca › Organization › Roles)",
};

/**
 * Judges what a key sees from two reads: a sample of users with the six fields, and ids with
 * contract ends (former employees included). Pure: no personal value ends up in the lines.
 */
export function judgeAccess(sample: readonly unknown[], everyone: readonly unknown[], today: string): LuccaCheck {
  const lines: CheckLine[] = [{ level: 'ok', text: 'Lucca is reachable and accepted the API key.' }];
  if (sample.length === 0) {
    lines.push({ level: 'fail', text: "The key sees no employee at all: its role must be allowed to see the company's users." });
    return { usable: false, lines, seen: { fields: [], former: 0, total: everyone.length } };
  }
  const records = sample.filter((u): u is Record<string, unknown> => typeof u === 'object' && u !== null);
  const visible = CHECKED_FIELDS.filter((f) => records.some((u) => f in u));
  const hidden = CHECKED_FIELDS.filter((f) => !visible.includes(f));
  if (visible.length > 0) lines.push({ level: 'ok', text: `Fields visible: ${visible.join(', ')}.` });
  for (const field of hidden) {
    lines.push({ level: 'fail', text: `Field ${field} is hidden: ${HIDDEN_BECAUSE[field] ?? "the key's role cannot read it"}.` });
  }
  // Lucca may also serve a hidden field as null: a birth date null for everyone sampled is suspect.
  if (visible.includes('birthDate') && records.every((u) => u.birthDate === null || u.birthDate === undefined)) {
    lines.push({
      level: 'warn',
      text: `Field birthDate is empty for every employee sampled: the key's role may lack ${FIELD_PERMISSION.birthDate}, ` +
        'or birth dates are not filled in Lucca. The sync never writes a value the key cannot see.',
    });
  }
  const former = everyone.filter((u) => {
    const end = (u as { dtContractEnd?: unknown } | null)?.dtContractEnd;
    return typeof end === 'string' && end.slice(0, 10) < today;
  }).length;
  if (former > 0) lines.push({ level: 'ok', text: `Former employees are visible (${former} seen): ended contracts will be deactivated.` });
  else {
    lines.push({
      level: 'warn',
      text: "No former employee seen: grant 'See former employees' to the key's role, or ended contracts are only noticed when people vanish.",
    });
  }
  lines.push({ level: 'ok', text: `${everyone.length} employee(s) visible in total.` });
  return { usable: hidden.length === 0, lines, seen: { fields: visible, former, total: everyone.length } };
}

/**
 * Calls Lucca twice with the real client and judges the key. Errors the API reports become a failed
 * check; `connection` names the connection in the hint for a refused key.
 */
export async function checkLucca(options: {
  baseUrl: string; apiKey: string; today: string; connection?: string;
  /** The connection's scope and mapped fields: each is checked against what the key sees. */
  scope?: ResolvedScope | null; mappings?: readonly FieldMapping[];
}): Promise<LuccaCheck> {
  const dispatcher = createDispatcher(2);
  const lucca = createLuccaClient({ baseUrl: options.baseUrl, apiKey: options.apiKey, dispatcher, limiter: unlimited });
  try {
    const sample = await lucca.listUsers({ offset: 0, limit: 5, fields: ['id', ...CHECKED_FIELDS], formerEmployees: true });
    const everyone = await lucca.listUsers({ offset: 0, limit: PAGE, fields: ['id', 'dtContractEnd'], formerEmployees: true });
    const judged = judgeAccess(sample.items, everyone.items, options.today);
    const scope = options.scope ?? null;
    const mappings = options.mappings ?? [];
    if (scopeDimensions(scope).length === 0 && mappings.length === 0) return judged;
    const extra = await lucca.listUsers({ offset: 0, limit: PAGE, fields: usersFields(['id'], scope, mappings), formerEmployees: true });
    const lines = judgeExtras(extra.items, scope, mappings);
    return { ...judged, usable: judged.usable && lines.every((l) => l.level !== 'fail'), lines: [...judged.lines, ...lines] };
  } catch (err) {
    if (!(err instanceof SyncError)) throw err;
    // The sync's messages promise retries; a one-off check does not retry.
    const message = err.message.replace(/;?\s*(will retry|retrying)[^.]*\.?$/, '.');
    const text = err.code === 'lucca_unreachable' ? `Lucca is not reachable at ${options.baseUrl}: ${message}`
      : err.code === 'lucca_unauthorized' && options.connection ? message.replace('<name>', options.connection)
      : message;
    return { usable: false, lines: [{ level: 'fail', text }] };
  } finally {
    await dispatcher.close();
  }
}

const ROLE_PATH = "in Lucca, open the key's role (Settings › Roles, or Organization › Roles), Co-workers tab";

/**
 * The scope's organisation data and each mapped field, against what the key returns for the people it
 * sees (one page): a source absent for everyone is a permission the role lacks, named in the words
 * of Lucca's screens ("Consult HR files" → select the relevant section). Absent for some only is a
 * warning (those people's values are not written). Field names and counts only, never a value.
 */
export function judgeExtras(records: readonly unknown[], scope: ResolvedScope | null, mappings: readonly FieldMapping[]): CheckLine[] {
  const lines: CheckLine[] = [];
  const total = records.length;
  if (total === 0) return lines;
  for (const dimension of scopeDimensions(scope)) {
    const seen = records.filter((r) => (dimension === 'departments' ? orgOf(r).departmentId : orgOf(r).establishmentId) !== null).length;
    const what = `The scope uses ${DIMENSION_LABEL[dimension]}s`;
    if (seen === 0) {
      lines.push({ level: 'fail', text: `${what}, but the key sees no employee's ${DIMENSION_LABEL[dimension]}: ${ROLE_PATH}, grant "Consult users" on the whole organisation (no one would sync).` });
    } else if (seen < total) {
      lines.push({ level: 'warn', text: `${what}; the key does not see it for ${total - seen} of ${total} employees sampled: they are neither written nor deactivated.` });
    } else lines.push({ level: 'ok', text: `${what}: visible for every employee sampled.` });
  }
  for (const m of mappings) {
    const visible = records.filter((r) => readSource(r, m.source).visible);
    const valued = visible.filter((r) => {
      const read = readSource(r, m.source);
      return read.visible && read.value !== null && read.value !== undefined;
    }).length;
    const name = `Mapped field ${m.source} → ${m.target}`;
    if (visible.length === 0) {
      lines.push({ level: 'fail', text: `${name} is not visible to the key: ${ROLE_PATH}, ${sourcePermission(m.source).replace(/ › select /, ' → select ')}. Until then it is never written.` });
    } else if (visible.length < total) {
      lines.push({ level: 'warn', text: `${name} is not visible for ${total - visible.length} of ${total} employees sampled (${sourcePermission(m.source)}): their values are not written.` });
    } else if (valued === 0) {
      lines.push({ level: 'warn', text: `${name} is empty for every employee sampled: the section may be empty in Lucca, or the key's role may serve it empty (${sourcePermission(m.source)}).` });
    } else lines.push({ level: 'ok', text: `${name}: visible (${valued} of ${total} employees sampled have a value).` });
  }
  return lines;
}
