/**
 * The import boundaries of eslint.config.js bite where they should and nowhere else: workflow code
 * imports values only from the sandbox-safe modules, the contract file nothing from activities/,
 * and shipped code nothing from dev/ or test/. Each case lints a snippet with the real config as if
 * it were the named file (the snippets are not on disk, so the typed rules are left out here; the
 * whole tree is linted by `npm run lint`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const eslint = new ESLint({
  cwd: ROOT,
  cache: false,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/await-thenable': 'off',
      '@typescript-eslint/return-await': 'off',
    },
  },
});

/** The rules a snippet breaks, as if it were `file`. */
async function broken(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

const IMPORT_RULE = '@typescript-eslint/no-restricted-imports';

describe('workflow code imports only workflow-safe modules', () => {
  it.each([
    ["import { proxyActivities } from '@temporalio/workflow';"],
    ["import { RetryState } from '@temporalio/common';"],
    ["import { runPolicies } from './policies.js';"],
    ["import type { Activities } from '../activities/index.js';"],
    ["import type { Logger } from 'pino';"],
    ["import type { Db } from '../db/client.js';"],
  ])('allows %s', async (code) => {
    expect(await broken('workflows/probe.ts', code)).toEqual([]);
  });

  it.each([
    ["import { createHash } from 'node:crypto';"],
    ["import { readFileSync } from 'fs';"],
    ["import pino from 'pino';"],
    ["import { Client } from '@temporalio/client';"],
    ["import { heartbeat } from '@temporalio/activity';"],
    ["import { createActivities } from '../activities/index.js';"],
    ["import { normaliseEmail } from '../rules/person.js';"],
    ["import { connections } from '../db/schema.js';"],
    ["export { createActivities } from '../activities/index.js';"],
    ["import type { Ports } from '../dev/stack/ports.js';"],
  ])('refuses %s', async (code) => {
    expect(await broken('workflows/probe.ts', code)).toEqual([IMPORT_RULE]);
  });
});

describe('the contract file', () => {
  it('imports nothing from activities/, not even types', async () => {
    expect(await broken('workflows/contracts.ts', "import type { ReflectDataset } from '../activities/targets/reflect/schemas.js';")).toEqual([IMPORT_RULE]);
    expect(await broken('workflows/contracts.ts', "import type { Paths } from '../dev/stack/paths.js';")).toEqual([IMPORT_RULE]);
    expect(await broken('workflows/contracts.ts', "import type { Person } from '../rules/person.js';")).toEqual([]);
    expect(await broken('workflows/contracts.ts', "import { defineQuery } from '@temporalio/workflow';")).toEqual([]);
  });
});

describe('shipped code never imports dev/ or test/', () => {
  it.each([
    ['workers/probe.ts', "import { ports } from '../dev/stack/ports.js';"],
    ['lib/codec/probe.ts', "import type { Paths } from '../../dev/stack/paths.js';"],
    ['activities/targets/happypal/probe.ts', "import { sim } from '../../../dev/simulators/happypal/server.js';"],
    ['client/probe.ts', "export { harness } from '../test/support/harness-core.js';"],
    ['probe.ts', "import { x } from './test/support/harness-core.js';"],
    ['scripts/probe.mjs', "import { start } from '../dev/stack/temporal-server.js';"],
  ])('refuses in %s: %s', async (file, code) => {
    expect(await broken(file, code)).toEqual([IMPORT_RULE]);
  });

  it('refuses a dynamic import of dev/', async () => {
    expect(await broken('console/probe.ts', "await import('../dev/demo/main.js');")).toEqual(['no-restricted-syntax']);
  });

  it.each([
    ['dev/bench/probe.ts', "import { ports } from '../stack/ports.js';"],
    ['test/support/probe.ts', "import { sim } from '../../dev/simulators/happypal/server.js';"],
    ['lib/probe.ts', "import { x } from '../config/paths.js';"],
    ['client/probe.ts', "import { x } from '../lib/developer-tools.js';"],
  ])('allows in %s: %s', async (file, code) => {
    expect(await broken(file, code)).toEqual([]);
  });
});
