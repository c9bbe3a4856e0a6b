import { describe, expect, it } from 'vitest';
import { auditWords } from '../../console/seams.js';
import { settingsFromForm } from '../../console/setup.js';
import { stepsDone } from '../../services/setup.js';

describe('auditWords: the audit log in the console words', () => {
  it.each([
    ['update', { changed: ['luccaKey'] }, 'relinked'],
    ['update', { changed: ['luccaKey', 'targetKey'] }, 'relinked'],
    ['update', { changed: ['policy', 'fieldPolicies'] }, 'changed policy'],
    ['update', { changed: ['deactivationGuard'] }, 'changed policy'],
    ['update', { changed: ['luccaKey', 'policy'] }, 'update'],
    ['update', {}, 'update'],
    ['sync', { full: true }, 'started a full resync'],
    ['sync', { dryRun: true }, 'previewed (dry run)'],
    ['sync', {}, 'synced'],
    ['activate', { wasActive: false }, 'activated'],
    ['reset', {}, 'reset'],
  ])('%s %o → %s', (action, detail, words) => expect(auditWords(action, detail)).toBe(words));
});

describe('settingsFromForm: step 3 as the service reads it', () => {
  it('reads a daily schedule, field policies and the guard; blank company is none', () => {
    expect(settingsFromForm({ name: ' acme-hp ', company: '', defaultPolicy: 'review', 'fp-email': 'lucca-wins', 'fp-lastName': '', guard: '15', schedule: 'daily', at: '07:30', tz: 'Europe/Paris' })).toEqual({
      name: 'acme-hp', company: null, defaultPolicy: 'review', fieldPolicies: { email: 'lucca-wins' }, deactivationGuardPct: 15,
      cadence: { kind: 'daily', hour: 7, minute: 30, timezone: 'Europe/Paris' },
    });
  });
  it('keeps what is not a number as it is, for the service to refuse by name', () => {
    const s = settingsFromForm({ name: 'x', guard: 'ten', schedule: 'daily', at: 'noon' });
    expect(s).toMatchObject({ deactivationGuardPct: 'ten', cadence: { kind: 'daily', hour: 'noon' } });
    expect(settingsFromForm({ schedule: 'every-4h', at: '07:30' }).cadence).toEqual({ kind: 'every-4h' });
  });
});

describe('stepsDone: each step opens once the steps before it are done', () => {
  const settings = { name: 'a-b', company: null, defaultPolicy: 'lucca-wins' as const, fieldPolicies: {}, deactivationGuardPct: 10, cadence: { kind: 'every-4h' as const } };
  it.each([
    [{}, null, { lucca: false, target: false, settings: false, preview: false }],
    [{ luccaUsable: false, targetUsable: true, settings }, { finished: true }, { lucca: false, target: false, settings: false, preview: false }],
    [{ luccaUsable: true }, null, { lucca: true, target: false, settings: false, preview: false }],
    [{ luccaUsable: true, targetUsable: true, settings }, { finished: false }, { lucca: true, target: true, settings: true, preview: false }],
    [{ luccaUsable: true, targetUsable: true, settings }, { finished: true }, { lucca: true, target: true, settings: true, preview: true }],
  ])('%o, preview %o', (data, preview, done) => expect(stepsDone(data, preview)).toEqual(done));
});
