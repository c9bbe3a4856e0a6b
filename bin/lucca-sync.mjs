#!/usr/bin/env node
// The `lucca-sync` command: the bundle the set-up builds (dist/lucca-sync.mjs) while it is newer
// than every source it was built from; otherwise the TypeScript sources through tsx's ESM loader.
import { freshCliBundle } from '../scripts/build-cli.mjs';

const bundle = freshCliBundle();
if (bundle) {
  await import(new URL(`file://${bundle}`).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../client/cli.ts');
}
