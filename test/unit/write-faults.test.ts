import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { exhaustedMessage, MAX_WRITE_CALLS, transientCause } from '../../activities/targets/happypal/apply.js';
import { classifyWriteError, exhaustedVerdict } from '../../activities/write-pipeline/index.js';
import { SyncError } from '../../activities/errors.js';

/** What an exception from one line's write does to the write attempt (activities/targets/happypal/apply.ts). */
describe('classifyWriteError', () => {
  it('a transient fault (5xx, unreachable, a cut or unreadable body) is sent again, the attempt goes on', () => {
    expect(classifyWriteError(new SyncError('happypal_unavailable', 'HappyPal answered 500; will retry with backoff.', true))).toBe('resend');
    expect(classifyWriteError(new SyncError('happypal_unreachable', 'happypal did not answer (UND_ERR_SOCKET); will retry.', true))).toBe('resend');
    expect(classifyWriteError(new SyncError('happypal_body_lost', 'cut off', true))).toBe('resend');
  });

  it('a 429 pauses the attempt: Retry-After becomes the next retry delay', () => {
    expect(classifyWriteError(new SyncError('happypal_rate_limited', 'slow down', true, 2000))).toBe('pause');
  });

  it('anything else stops the attempt as before: non-retryable errors, unknown errors, Temporal failures', () => {
    expect(classifyWriteError(new SyncError('happypal_unauthorized', 'bad key', false))).toBe('stop');
    expect(classifyWriteError(new SyncError('happypal_unexpected_status', 'HappyPal answered 400 to a write.', false))).toBe('stop');
    expect(classifyWriteError(new Error('A planned write has no target profile.'))).toBe('stop');
    expect(classifyWriteError(ApplicationFailure.retryable('boom', 'x'))).toBe('stop');
  });
});

/**
 * Which lines that failed all their sends in an attempt count one try (report_lines.write_tries):
 * only when HappyPal is up, so an outage never fails a line.
 */
describe('exhaustedVerdict', () => {
  const fresh = (seq: number) => ({ seq, writeTries: 0 });
  const suspect = (seq: number, writeTries = 1) => ({ seq, writeTries });

  it('HappyPal answered other writes in the attempt: the exhausted lines count a try', () => {
    expect(exhaustedVerdict({ answered: 99, exhausted: [fresh(7)], failing: [fresh(7)] })).toBe('count');
    // Lines stopped with sends left (an outage stop after progress) are failing but not exhausted: only the exhausted count.
    expect(exhaustedVerdict({ answered: 1, exhausted: [fresh(7)], failing: [fresh(7), fresh(8), fresh(9)] })).toBe('count');
  });

  it('nothing exhausted: nothing to count (an outage stops the attempt before any line has had all its sends)', () => {
    expect(exhaustedVerdict({ answered: 0, exhausted: [], failing: [fresh(1), fresh(2)] })).toBe('none');
    expect(exhaustedVerdict({ answered: 50, exhausted: [], failing: [fresh(1)] })).toBe('none');
    expect(exhaustedVerdict({ answered: 0, exhausted: [], failing: [] })).toBe('none');
  });

  it('no write answered, a line never counted before failing too: HappyPal may be down, no try', () => {
    expect(exhaustedVerdict({ answered: 0, exhausted: [fresh(3)], failing: [fresh(3)] })).toBe('none');
    expect(exhaustedVerdict({ answered: 0, exhausted: [suspect(3)], failing: [suspect(3), fresh(4)] })).toBe('none');
    expect(exhaustedVerdict({ answered: 0, exhausted: [suspect(3), fresh(4)], failing: [suspect(3), fresh(4)] })).toBe('none');
  });

  it('no write answered, only lines already counted fail (the end of a run): probe HappyPal with a read', () => {
    expect(exhaustedVerdict({ answered: 0, exhausted: [suspect(3)], failing: [suspect(3)] })).toBe('probe');
    expect(exhaustedVerdict({ answered: 0, exhausted: [suspect(3, 4)], failing: [suspect(3, 4)] })).toBe('probe');
    // Several such lines trip the outage stop: those with sends left are not counted, the others are.
    expect(exhaustedVerdict({ answered: 0, exhausted: [suspect(1), suspect(2)], failing: [suspect(1), suspect(2), suspect(3)] })).toBe('probe');
  });
});

describe('the report error of a line failed after MAX_WRITE_CALLS tries', () => {
  it('names the cause (a status or the kind of network fault), never the record', () => {
    expect(MAX_WRITE_CALLS).toBe(5);
    expect(exhaustedMessage(new SyncError('happypal_unavailable', 'HappyPal answered 500; will retry with backoff.', true, undefined, 500)))
      .toBe('HappyPal failed on every try (HTTP 500, 15 sends over 5 write calls); the record is tried again on the next run.');
    expect(transientCause(new SyncError('happypal_unavailable', 'x', true, undefined, 503))).toBe('HTTP 503');
    expect(transientCause(new SyncError('happypal_unreachable', 'x', true))).toBe('no answer');
    expect(transientCause(new SyncError('happypal_body_lost', 'x', true))).toBe('answer cut off');
    expect(transientCause(new SyncError('happypal_bad_json', 'x', true))).toBe('unreadable answer');
    expect(transientCause(new SyncError('happypal_something', 'x', true))).toBe('happypal_something');
    expect(transientCause(undefined)).toBe('unexpected error');
  });
});
