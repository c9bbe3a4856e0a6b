import { describe, expect, it } from 'vitest';
import { matchEmployees, type Match } from '../../../rules/matching.js';

function run(input: Parameters<typeof matchEmployees>[0]): Record<string, Match> {
  return Object.fromEntries(matchEmployees(input).map((r) => [r.sourceId, r.match]));
}

describe('matchEmployees', () => {
  it('an existing link comes first, even when the email now points elsewhere', () => {
    const m = run({
      sources: [{ sourceId: 's1', email: 'new@x.fr' }],
      links: [{ sourceId: 's1', targetId: 't1' }],
      targets: [{ targetId: 't1', email: 'old@x.fr' }, { targetId: 't2', email: 'new@x.fr' }],
    });
    expect(m.s1).toEqual({ kind: 'linked', targetId: 't1' });
  });

  it.each([
    ['case', 'Jean.Dupont@X.FR', 'jean.dupont@x.fr'],
    ['surrounding whitespace', '  jean.dupont@x.fr\t', 'jean.dupont@x.fr'],
    ['Unicode NFC', 'jose\u0301@x.fr', 'jos\u00e9@x.fr'],
  ])('attaches by normalised email whatever the %s', (_n, sourceEmail, targetEmail) => {
    const m = run({ sources: [{ sourceId: 's1', email: sourceEmail }], links: [], targets: [{ targetId: 't1', email: targetEmail }] });
    expect(m.s1).toEqual({ kind: 'attach', targetId: 't1' });
  });

  it('creates when no target has the email; targets without email never match', () => {
    const m = run({ sources: [{ sourceId: 's1', email: 'a@x.fr' }], links: [], targets: [{ targetId: 't1', email: null }, { targetId: 't2', email: ' ' }] });
    expect(m.s1).toEqual({ kind: 'create' });
  });

  it('two targets with the same email → ambiguous for the employee', () => {
    const m = run({ sources: [{ sourceId: 's1', email: 'a@x.fr' }], links: [], targets: [{ targetId: 't1', email: 'A@x.fr' }, { targetId: 't2', email: 'a@x.fr' }] });
    expect(m.s1).toEqual({ kind: 'ambiguous', reason: 'two_targets_same_email', targetIds: ['t1', 't2'] });
  });

  it('two targets with the same email, one already linked elsewhere → still ambiguous', () => {
    const m = run({
      sources: [{ sourceId: 's1', email: 'a@x.fr' }, { sourceId: 's2', email: 'b@x.fr' }],
      links: [{ sourceId: 's2', targetId: 't1' }],
      targets: [{ targetId: 't1', email: 'a@x.fr' }, { targetId: 't2', email: 'a@x.fr' }],
    });
    expect(m.s1).toMatchObject({ kind: 'ambiguous', reason: 'two_targets_same_email' });
    expect(m.s2).toEqual({ kind: 'linked', targetId: 't1' });
  });

  it('one profile claimed by two employees → ambiguous for ALL of them', () => {
    const m = run({
      sources: [{ sourceId: 's1', email: 'a@x.fr' }, { sourceId: 's2', email: ' A@X.FR' }, { sourceId: 's3', email: 'c@x.fr' }],
      links: [],
      targets: [{ targetId: 't1', email: 'a@x.fr' }],
    });
    expect(m.s1).toEqual({ kind: 'ambiguous', reason: 'target_claimed_by_two_sources', targetIds: ['t1'] });
    expect(m.s2).toEqual({ kind: 'ambiguous', reason: 'target_claimed_by_two_sources', targetIds: ['t1'] });
    expect(m.s3).toEqual({ kind: 'create' });
  });

  it('a target already linked to another source → ambiguous for the newcomer (rehire under a new id)', () => {
    const m = run({
      sources: [{ sourceId: 'old', email: 'a@x.fr' }, { sourceId: 'new', email: 'a@x.fr' }],
      links: [{ sourceId: 'old', targetId: 't1' }],
      targets: [{ targetId: 't1', email: 'a@x.fr' }],
    });
    expect(m.old).toEqual({ kind: 'linked', targetId: 't1' });
    expect(m.new).toEqual({ kind: 'ambiguous', reason: 'target_already_linked', targetIds: ['t1'] });
  });

  it('two employees with the same email and no profile → ambiguous for both, nothing created', () => {
    const m = run({ sources: [{ sourceId: 's1', email: 'a@x.fr' }, { sourceId: 's2', email: 'A@x.fr' }], links: [], targets: [] });
    expect(m.s1).toEqual({ kind: 'ambiguous', reason: 'two_sources_same_email', targetIds: [] });
    expect(m.s2).toEqual(m.s1);
  });

  it('a linked source does not count as a rival claimant', () => {
    const m = run({
      sources: [{ sourceId: 's1', email: 'a@x.fr' }, { sourceId: 's2', email: 'a@x.fr' }],
      links: [{ sourceId: 's2', targetId: 't9' }],
      targets: [{ targetId: 't1', email: 'a@x.fr' }],
    });
    expect(m.s1).toEqual({ kind: 'attach', targetId: 't1' });
  });

  it('keeps the order of sources; duplicate links: the first one wins', () => {
    const r = matchEmployees({
      sources: [{ sourceId: 'b', email: 'b@x.fr' }, { sourceId: 'a', email: 'a@x.fr' }],
      links: [{ sourceId: 'b', targetId: 't1' }, { sourceId: 'b', targetId: 't2' }, { sourceId: 'a', targetId: 't1' }],
      targets: [],
    });
    expect(r).toEqual([
      { sourceId: 'b', match: { kind: 'linked', targetId: 't1' } },
      { sourceId: 'a', match: { kind: 'create' } },
    ]);
  });

  // Its speed is measured by `npm run bench:rules` (figures, not a timed test).
  it('matches 100,000 employees, linked and attached by normalised email', () => {
    const n = 100_000;
    const sources = Array.from({ length: n }, (_, i) => ({ sourceId: `s${i}`, email: `user${i}@x.fr` }));
    const links = Array.from({ length: n / 2 }, (_, i) => ({ sourceId: `s${i}`, targetId: `t${i}` }));
    const targets = Array.from({ length: n }, (_, i) => ({ targetId: `t${i}`, email: `USER${i}@X.FR` }));
    const r = matchEmployees({ sources, links, targets });
    expect(r[0]?.match).toEqual({ kind: 'linked', targetId: 't0' });
    expect(r[n - 1]?.match).toEqual({ kind: 'attach', targetId: `t${n - 1}` });
    expect(r.filter((m) => m.match.kind === 'linked')).toHaveLength(n / 2);
    expect(r.filter((m) => m.match.kind === 'attach')).toHaveLength(n / 2);
  });
});
