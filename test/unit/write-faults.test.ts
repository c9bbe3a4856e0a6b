import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { classifyWriteError } from '../../activities/apply.js';
import { SyncError } from '../../activities/errors.js';

/** What an exception from one line's write does to the write attempt (activities/apply.ts). */
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
    // A code Temporal never retries stops even if it were marked retryable by mistake.
    expect(classifyWriteError(new SyncError('happypal_unauthorized', 'bad key', true))).toBe('stop');
    expect(classifyWriteError(new Error('A planned write has no target profile.'))).toBe('stop');
    expect(classifyWriteError(ApplicationFailure.retryable('boom', 'x'))).toBe('stop');
  });
});
