import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The project root: this file lives in <root>/config, and the CLI bundle in <root>/dist, one folder
 * down as well (scripts/build-cli.mjs). Other modules derive their paths from it, not from their own URL.
 */
export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

export function resolveDataDir(dataDir: string): string {
  return path.isAbsolute(dataDir) ? dataDir : path.join(PROJECT_ROOT, dataDir);
}
