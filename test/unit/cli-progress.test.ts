import { describe, expect, it } from 'vitest';
import { describeFailure, oneLine, UsageError } from '../../client/errors.js';
import { phaseFraction, renderProgress, textBar } from '../../client/progress-line.js';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { ConfigError } from '../../config/env.js';
import { ServiceError } from '../../services/errors.js';

describe('progress line', () => {
  it('draws a bar by phase on a TTY, a plain line otherwise', () => {
    expect(textBar(0, 10)).toBe('[----------]');
    expect(textBar(0.5, 10)).toBe('[#####-----]');
    expect(textBar(2, 4)).toBe('[####]');
    expect(phaseFraction('starting')).toBe(0);
    expect(phaseFraction('done')).toBe(1);
    const progress = { runId: 'r', phase: 'fetch-source' as const, pagesDone: 3, counts: { read: 120, created: 0 } };
    expect(renderProgress(progress, { tty: true, width: 6 })).toBe('[#-----] reading Lucca · 3 page(s) · read 120');
    expect(renderProgress(progress, { tty: false })).toBe('progress: reading Lucca · 3 page(s) · read 120');
  });
});

describe('failures', () => {
  it('bad input exits 2, anything else 1, always on one line', () => {
    expect(describeFailure(new UsageError('unknown connection "x"'))).toEqual({ code: 2, line: 'error: unknown connection "x"' });
    expect(describeFailure(new ConfigError('Invalid configuration:\n  A: bad\n  B: worse'))).toEqual({ code: 2, line: 'error: invalid configuration: A: bad; B: worse' });
    expect(describeFailure(new Error('boom\nstack'))).toEqual({ code: 1, line: 'error: boom; stack' });
    expect(describeFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).line).toMatch(/PostgreSQL is not reachable/);
    expect(describeFailure(new ServiceError('refused', 'the new Lucca key was not saved'))).toEqual({ code: 2, line: 'error: the new Lucca key was not saved' });
    expect(describeFailure(new ServiceError('busy', 'a sync is running')).code).toBe(1);
    const query = new DrizzleQueryError('select "id" from "sync_runs" where "id" = $1', ['x'], new Error('value "1e20" is out of range for type bigint'));
    expect(describeFailure(query)).toEqual({ code: 1, line: 'error: the database refused the request (value "1e20" is out of range for type bigint).' });
    expect(oneLine('  a\n\n b  ')).toBe('a; b');
  });
});
