/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`): top functions by self time, and self
 * time by package / project file. Also a CLI:  npx tsx dev/bench/profile-summary.ts <file-or-dir>... [--top N]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function where(url: string): string {
  if (!url) return '';
  const clean = url.replace(/^file:\/\//, '');
  const nm = clean.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = clean.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? clean);
  }
  if (clean.startsWith('node:')) return clean;
  const root = clean.indexOf('/work/');
  return root >= 0 ? clean.split('/').slice(-2).join('/') : clean;
}

/** Self time (µs) per function and per module over all the given profiles. */
export function summariseProfiles(files: string[], top = 25): string {
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  let wall = 0;
  const described: string[] = [];
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    // timeDeltas[i] is the time before sample i; attribute the next delta to the sample (V8's own convention).
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i] as number;
      const dt = deltas[i + 1] ?? 0;
      self.set(id, (self.get(id) ?? 0) + Math.max(0, dt));
    }
    let fileBusy = 0;
    for (const [id, us] of self) {
      const node = nodes.get(id);
      if (!node) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') continue;
      const key = `${functionName || '(anonymous)'} ${where(url)}${url ? `:${lineNumber + 1}` : ''}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + us);
      const module = url ? where(url) : functionName;
      byModule.set(module, (byModule.get(module) ?? 0) + us);
      fileBusy += us;
    }
    total += fileBusy;
    wall += profile.endTime - profile.startTime;
    described.push(`${path.basename(file)}: ${(fileBusy / 1e6).toFixed(1)} s busy of ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`);
  }
  const rank = (m: Map<string, number>, n: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
      .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((us / Math.max(1, total)) * 100).toFixed(1).padStart(5)} %  ${k}`);
  return [
    `CPU profiles: ${files.length} file(s), ${(total / 1e6).toFixed(1)} s of CPU (not idle) over ${(wall / 1e6).toFixed(1)} s of profiled wall time`,
    ...described.map((d) => `  ${d}`),
    '',
    `Top ${top} functions by self time:`,
    ...rank(byFunction, top),
    '',
    'Self time by package / file:',
    ...rank(byModule, 15),
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 30;
  const inputs = args.filter((_, i) => topIndex < 0 || (i !== topIndex && i !== topIndex + 1));
  const files = inputs.flatMap((p) => (statSync(p).isDirectory()
    ? readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(p, f))
    : [p]));
  process.stdout.write(`${summariseProfiles(files, top)}\n`);
}
