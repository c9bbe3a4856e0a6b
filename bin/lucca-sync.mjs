#!/usr/bin/env node
// The `lucca-sync` command: registers tsx's ESM loader, then runs the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
await import('../client/cli.ts');
