/**
 * Matching Lucca employees to target profiles (docs/design.md §3 "Matching"): an existing link first,
 * else the normalised professional email, else create. Anything ambiguous is reported, never written.
 * O(n) over sources + links + targets (Maps only): it runs over 100,000 employees.
 *
 * Documented decisions:
 * - An email shared by two or more targets is ambiguous (`two_targets_same_email`), even when some
 *   of them are already linked elsewhere: duplicate profiles on the target need a human.
 * - A single target with that email, already linked to another source → `target_already_linked`
 *   (e.g. a rehire under a new Lucca id while the old id is still returned as a former employee).
 * - One unlinked target claimed by two or more unlinked sources → `target_claimed_by_two_sources`
 *   for every one of them.
 * - Two or more unlinked sources with the same email and no target at all → `two_sources_same_email`
 *   for all of them (an addition to the brief's list: creating both would duplicate the profile).
 * - Links are assumed unique per source and per target (database constraints); on duplicates the
 *   first link listed wins. A link is honoured even if its target is absent from `targets`
 *   (the writer then reports the target's 404).
 */
import { z } from 'zod';
import { normaliseEmail } from './person.js';

export const AmbiguityReasonSchema = z.enum(['two_targets_same_email', 'target_claimed_by_two_sources', 'target_already_linked', 'two_sources_same_email']);
export type AmbiguityReason = z.infer<typeof AmbiguityReasonSchema>;

export const MatchSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('linked'), targetId: z.string() }),
  z.object({ kind: z.literal('attach'), targetId: z.string() }),
  z.object({ kind: z.literal('create') }),
  z.object({ kind: z.literal('ambiguous'), reason: AmbiguityReasonSchema, targetIds: z.array(z.string()) }),
]);
export type Match = z.infer<typeof MatchSchema>;

export interface MatchInput {
  sources: readonly { sourceId: string; email: string | null }[];
  links: readonly { sourceId: string; targetId: string }[];
  targets: readonly { targetId: string; email: string | null }[];
}

export interface MatchResult {
  sourceId: string;
  match: Match;
}

function emailKey(email: string | null): string | null {
  if (email === null) return null;
  const key = normaliseEmail(email);
  return key === '' ? null : key;
}

/** One result per source, in the order of `sources`. */
export function matchEmployees({ sources, links, targets }: MatchInput): MatchResult[] {
  const matcher = createMatcher({ links, targets });
  for (const s of sources) matcher.claim(s);
  return sources.map((s) => ({ sourceId: s.sourceId, match: matcher.match(s) }));
}

export interface Matcher {
  /** Registers an unlinked source's email (for the "claimed by two" rules); linked sources are ignored. */
  claim(source: { sourceId: string; email: string | null }): void;
  /** The match of one source; call after every source has been claimed. */
  match(source: { sourceId: string; email: string | null }): Match;
}

/**
 * The same rules as matchEmployees, in two passes over sources that need not be in memory together:
 * claim every source first, then match them in any order or chunking. The planner of a 100,000
 * employee company streams its sources this way (activities/targets/happypal/plan.ts).
 */
export function createMatcher({ links, targets }: Omit<MatchInput, 'sources'>): Matcher {
  const linkOfSource = new Map<string, string>();
  const linkedTargets = new Set<string>();
  for (const l of links) {
    if (linkOfSource.has(l.sourceId) || linkedTargets.has(l.targetId)) continue;
    linkOfSource.set(l.sourceId, l.targetId);
    linkedTargets.add(l.targetId);
  }

  const targetsByEmail = new Map<string, string[]>();
  for (const t of targets) {
    const key = emailKey(t.email);
    if (key === null) continue;
    const list = targetsByEmail.get(key);
    if (list) list.push(t.targetId);
    else targetsByEmail.set(key, [t.targetId]);
  }

  // How many unlinked sources want each email (for the "claimed by two" rules).
  const claimants = new Map<string, number>();
  return {
    claim(s) {
      if (linkOfSource.has(s.sourceId)) return;
      const key = emailKey(s.email);
      if (key !== null) claimants.set(key, (claimants.get(key) ?? 0) + 1);
    },
    match(s) {
      const linked = linkOfSource.get(s.sourceId);
      if (linked !== undefined) return { kind: 'linked', targetId: linked };
      const key = emailKey(s.email);
      const candidates = key === null ? [] : (targetsByEmail.get(key) ?? []);
      const rivals = key === null ? 1 : (claimants.get(key) ?? 1);
      return decide(candidates, rivals, linkedTargets);
    },
  };
}

function decide(candidates: string[], rivals: number, linkedTargets: ReadonlySet<string>): Match {
  const [only] = candidates;
  if (only === undefined) {
    return rivals > 1 ? { kind: 'ambiguous', reason: 'two_sources_same_email', targetIds: [] } : { kind: 'create' };
  }
  if (candidates.length > 1) return { kind: 'ambiguous', reason: 'two_targets_same_email', targetIds: [...candidates] };
  if (linkedTargets.has(only)) return { kind: 'ambiguous', reason: 'target_already_linked', targetIds: [only] };
  if (rivals > 1) return { kind: 'ambiguous', reason: 'target_claimed_by_two_sources', targetIds: [only] };
  return { kind: 'attach', targetId: only };
}
