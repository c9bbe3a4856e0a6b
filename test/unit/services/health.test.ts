import { describe, expect, it } from 'vitest';
import { evaluateHealth, parseHealthStates, type HealthFacts, type HealthState } from '../../../services/health.js';
import { incidentChanges } from '../../../services/incidents.js';

const now = new Date('2026-03-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const DAY = 24 * 3_600_000;
const base: HealthFacts = {
  active: true, createdAt: hoursAgo(24 * 30), lastRun: { status: 'completed', failureCode: null, finishedAt: hoursAgo(2) },
  lastSuccessAt: hoursAgo(2), openConflicts: 0, quarantined: 0, schedule: { paused: false, intervalMs: DAY }, now,
};
const failed = (code: string) => ({ lastRun: { status: 'failed' as const, failureCode: code, finishedAt: hoursAgo(1) } });

describe('evaluateHealth', () => {
  const cases: [string, Partial<HealthFacts>, HealthState][] = [
    ['a recent success', {}, 'ok'],
    ['quarantined records', { quarantined: 3 }, 'degraded'],
    ['open conflicts', { openConflicts: 1 }, 'degraded'],
    ['a failed last run', failed('lucca_unavailable'), 'failing'],
    ['a failed run without a code', { lastRun: { status: 'failed', failureCode: null, finishedAt: hoursAgo(1) } }, 'failing'],
    ['a 401 from Lucca', failed('lucca_unauthorized'), 'auth_error'],
    ['a 403 from Lucca', failed('lucca_forbidden'), 'auth_error'],
    ['a 401 from HappyPal', failed('happypal_unauthorized'), 'auth_error'],
    ['a 401 from Reflect', failed('reflect_unauthorized'), 'auth_error'],
    ['a guard block', { lastRun: { status: 'blocked', failureCode: null, finishedAt: hoursAgo(1) } }, 'blocked'],
    ['a paused schedule', { schedule: { paused: true, intervalMs: DAY } }, 'paused'],
    ['an inactive connection', { active: false, lastRun: null, lastSuccessAt: null }, 'paused'],
    ['no success for more than two intervals', { lastSuccessAt: hoursAgo(49), lastRun: { status: 'completed', failureCode: null, finishedAt: hoursAgo(49) } }, 'stale'],
    ['no success for exactly two intervals', { lastSuccessAt: hoursAgo(48), lastRun: { status: 'completed', failureCode: null, finishedAt: hoursAgo(48) } }, 'ok'],
    ['never run, created recently', { lastRun: null, lastSuccessAt: null, createdAt: hoursAgo(1) }, 'never_run'],
    ['never run for days', { lastRun: null, lastSuccessAt: null, createdAt: hoursAgo(72) }, 'stale'],
    ['never run, no schedule', { lastRun: null, lastSuccessAt: null, createdAt: hoursAgo(72), schedule: null }, 'never_run'],
    // precedence
    ['auth error over paused and degraded', { ...failed('lucca_unauthorized'), schedule: { paused: true, intervalMs: DAY }, openConflicts: 2 }, 'auth_error'],
    ['failing over paused', { ...failed('happypal_unavailable'), schedule: { paused: true, intervalMs: DAY } }, 'failing'],
    ['paused is never stale', { schedule: { paused: true, intervalMs: DAY }, lastSuccessAt: hoursAgo(500) }, 'paused'],
    ['stale over degraded', { lastSuccessAt: hoursAgo(100), quarantined: 4 }, 'stale'],
    ['an unknown schedule is never stale', { schedule: 'unknown', lastSuccessAt: hoursAgo(500) }, 'ok'],
    ['dry runs only: not a success', { lastSuccessAt: null, createdAt: hoursAgo(100) }, 'stale'],
  ];
  it.each(cases)('%s', (_, facts, state) => {
    expect(evaluateHealth({ ...base, ...facts }).state).toBe(state);
  });

  it('lists every condition that holds, each with a cause free of personal data', () => {
    const health = evaluateHealth({ ...base, ...failed('lucca_unauthorized'), openConflicts: 2, quarantined: 1, lastSuccessAt: hoursAgo(60) });
    expect(Object.keys(health.conditions).sort()).toEqual(['auth_error', 'degraded', 'stale']);
    expect(health.cause).toBe('the last run was refused by an API key (lucca_unauthorized) at 2026-03-10 11:00Z');
    expect(health.conditions.degraded).toBe('2 open conflict(s), 1 record(s) in quarantine');
    expect(health.conditions.stale).toBe('no successful run since 2026-03-08 00:00Z (scheduled every 24h)');
  });
});

describe('incidentChanges', () => {
  const cases: [string, Parameters<typeof incidentChanges>[0], { id: number; kind: string }[], ReturnType<typeof incidentChanges>][] = [
    ['nothing wrong, nothing open', {}, [], { open: [], resolve: [] }],
    ['a new condition opens one', { failing: 'x' }, [], { open: [{ kind: 'failing', cause: 'x' }], resolve: [] }],
    ['a condition already open: nothing', { failing: 'y' }, [{ id: 1, kind: 'failing' }], { open: [], resolve: [] }],
    ['a condition gone resolves it', {}, [{ id: 1, kind: 'failing' }], { open: [], resolve: [{ id: 1, kind: 'failing' }] }],
    ['failing becomes auth error', { auth_error: 'a' }, [{ id: 1, kind: 'failing' }], { open: [{ kind: 'auth_error', cause: 'a' }], resolve: [{ id: 1, kind: 'failing' }] }],
    ['several at once', { stale: 's', degraded: 'd' }, [{ id: 2, kind: 'degraded' }], { open: [{ kind: 'stale', cause: 's' }], resolve: [] }],
  ];
  it.each(cases)('%s', (_, conditions, open, expected) => {
    expect(incidentChanges(conditions, open)).toEqual(expected);
  });
});

describe('parseHealthStates', () => {
  it('reads repeated and comma-separated states, dashes or underscores', () => {
    expect(parseHealthStates(['failing', 'auth-error,stale'])).toEqual(['failing', 'auth_error', 'stale']);
  });
  it('names the states on a bad one', () => {
    expect(() => parseHealthStates(['broken'])).toThrow('unknown health state "broken": expected one of auth_error, failing, blocked, paused, stale, never_run, degraded, ok');
  });
});
