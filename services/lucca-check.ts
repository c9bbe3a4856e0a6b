import { createDispatcher } from '../activities/http/http.js';
import { createLuccaClient } from '../activities/lucca/client.js';
import { unlimited } from '../activities/http/rate-limiter.js';
import { SyncError } from '../activities/errors.js';
import { FIELD_PERMISSION } from '../rules/visibility.js';

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
export async function checkLucca(options: { baseUrl: string; apiKey: string; today: string; connection?: string }): Promise<LuccaCheck> {
  const dispatcher = createDispatcher(2);
  const lucca = createLuccaClient({ baseUrl: options.baseUrl, apiKey: options.apiKey, dispatcher, limiter: unlimited });
  try {
    const sample = await lucca.listUsers({ offset: 0, limit: 5, fields: ['id', ...CHECKED_FIELDS], formerEmployees: true });
    const everyone = await lucca.listUsers({ offset: 0, limit: PAGE, fields: ['id', 'dtContractEnd'], formerEmployees: true });
    return judgeAccess(sample.items, everyone.items, options.today);
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
