import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root (this file lives in <root>/config). */
export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

export function resolveDataDir(dataDir: string): string {
  return path.isAbsolute(dataDir) ? dataDir : path.join(PROJECT_ROOT, dataDir);
}
