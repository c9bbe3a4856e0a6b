#!/usr/bin/env node
// The browser tests drive Debian's `chromium` package through playwright-core, which never
// downloads a browser. This finds it (CHROMIUM_PATH, else /usr/bin/chromium); when it is missing,
// root installs it with apt-get, anyone else gets one line saying how. Plain Node, no dependencies:
// scripts/setup.mjs can import it (ensureChromium) before anything is installed, or run it alone.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';
const log = (message) => process.stderr.write(`[setup] ${message}\n`);

/** Returns the Chromium path, installing Debian's package as root when needed; exits 1 with one line otherwise. */
export function ensureChromium(configured = process.env.CHROMIUM_PATH) {
  const wanted = configured && configured.trim() !== '' ? configured.trim() : DEFAULT_CHROMIUM_PATH;
  if (existsSync(wanted)) return wanted;
  if (configured && configured.trim() !== '') {
    log(`CHROMIUM_PATH=${wanted} does not exist: point it at a Chromium binary, or unset it to use Debian's (sudo apt-get install chromium).`);
    process.exit(1);
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!root || !hasApt) {
    log(`Chromium is missing for the browser tests: install it with \`sudo apt-get install chromium\` (Debian/Ubuntu), or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  log("installing Debian's chromium for the browser tests (apt-get)…");
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch {
    try {
      execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
        stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (err) {
      log(`apt-get install chromium failed (${err.status ?? err.code}): install it with \`sudo apt-get install chromium\`, or set CHROMIUM_PATH.`);
      process.exit(1);
    }
  }
  if (!existsSync(DEFAULT_CHROMIUM_PATH)) {
    log(`apt-get installed chromium but ${DEFAULT_CHROMIUM_PATH} is missing: set CHROMIUM_PATH to its binary.`);
    process.exit(1);
  }
  return DEFAULT_CHROMIUM_PATH;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${ensureChromium()}\n`);
}
