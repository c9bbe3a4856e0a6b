import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../client/errors.js';
import { debugEnabled } from '../../config/env.js';
import { checkTemporalCliVersion, PINNED } from '../../dev/stack/binaries.js';
import { BinaryNotFoundError } from '../../lib/startup-error.js';
import { StartupError } from '../../lib/startup-error.js';

const fakeTemporal = (output: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'fake-temporal-')), 'temporal');
  writeFileSync(file, `#!/bin/sh\necho '${output}'\n`);
  chmodSync(file, 0o755);
  return file;
};

describe('start-up failures', () => {
  it('are one line with the cause and the fix, exit code 1', () => {
    expect(describeFailure(new StartupError('port 7233 is in use', 'set TEMPORAL_ADDRESS'))).toEqual({
      code: 1, line: 'error: port 7233 is in use: set TEMPORAL_ADDRESS',
    });
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:9464\n    at x'), { code: 'EADDRINUSE', port: 9464 });
    expect(describeFailure(inUse).line).toBe('error: port 9464 is already in use: stop what uses it, or choose another port (see .env.example).');
  });

  it('a Temporal CLI of another version than the pinned one is refused, naming both and the fix', () => {
    expect(() => checkTemporalCliVersion(fakeTemporal(`temporal version ${PINNED.temporalBin} (Server 1.32.0, UI 2.54.1)`))).not.toThrow();
    const wrong = fakeTemporal('temporal version 1.3.0 (Server 1.27.1, UI 2.36.0)');
    expect(() => checkTemporalCliVersion(wrong)).toThrow(BinaryNotFoundError);
    expect(() => checkTemporalCliVersion(wrong)).toThrow(new RegExp(`is Temporal CLI 1\\.3\\.0, this project needs ${PINNED.temporalBin.replace(/\./g, '\\.')}: run \`npm run setup\``));
  });

  it('print their stack trace only when DEBUG is set', () => {
    expect(debugEnabled({})).toBe(false);
    expect(debugEnabled({ DEBUG: '0' })).toBe(false);
    expect(debugEnabled({ DEBUG: 'false' })).toBe(false);
    expect(debugEnabled({ DEBUG: '1' })).toBe(true);
    expect(debugEnabled({ DEBUG: '*' })).toBe(true);
  });
});
