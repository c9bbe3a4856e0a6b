import { describe, expect, it } from 'vitest';
import { describeFailure, oneLine, UsageError } from '../../client/errors.js';
import { phaseFraction, renderProgress, textBar } from '../../client/progress-line.js';
import { ConfigError } from '../../config/env.js';

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
    expect(oneLine('  a\n\n b  ')).toBe('a; b');
  });
});
