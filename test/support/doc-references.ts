/**
 * Checks that every reference to the repository's documents resolves: comments and pages cite
 * `docs/design.md §3 "Lifecycle"` or `docs/lucca-api.md §2a, §3b`, and each cited file, section
 * and quoted phrase must exist. Run over the whole tree by test/unit/doc-references.test.ts.
 *
 * What is checked, in every text file of the tree (comments and prose alike; a comment's star,
 * slashes or hash at the start of a line are ignored, so a citation may wrap over lines):
 * - A page followed by sections, joined by a comma or "and", each optionally followed by a quoted
 *   phrase: the page exists, relative to the citing file's folder or to the repository root; each
 *   section is a numbered heading of that page ("## 3. Title", "### 1a. Title"); a quoted phrase
 *   appears in that section's text.
 * - A section sign that follows no page: allowed after "RFC <n>", and in a Markdown page, where it
 *   means a section of the page itself; anywhere else it is a reference nobody can follow.
 * - Any mention of a path under docs/, or of a docs page by its bare name, names a file that
 *   exists, relative to the citing file or to the root.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface BrokenReference {
  file: string;
  line: number;
  citation: string;
  problem: string;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.data', '.venv', 'dist']);
const TEXT_FILE = /\.(ts|mts|cts|js|mjs|cjs|md|ya?ml|sh|sql|toml)$|^Dockerfile$/;

/** Every text file of the tree, relative to `root`, in a stable order. */
export function textFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    if (SKIPPED_DIRS.has(name)) continue;
    const rel = path.join(dir, name);
    const stat = statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (stat?.isDirectory()) out.push(...textFiles(root, rel));
    else if (stat?.isFile() && TEXT_FILE.test(name)) out.push(rel);
  }
  return out;
}

interface Section {
  id: string;
  text: string;
}

/** A Markdown page's numbered sections (`## 3. Title`, `### 1a. Title`), each with its text up to the next heading of its level or above. */
export function sections(markdown: string): Section[] {
  const lines = markdown.split('\n');
  const headings: { index: number; level: number; id: string | undefined }[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (line.startsWith('```')) fenced = !fenced;
    const m = fenced ? null : /^(#{1,6})\s+(?:([0-9]+[a-z]?)\.\s)?/.exec(line);
    if (m) headings.push({ index, level: m[1]!.length, id: m[2] });
  });
  return headings.flatMap((h, i) => {
    if (h.id === undefined) return [];
    const end = headings.slice(i + 1).find((next) => next.level <= h.level)?.index ?? lines.length;
    return [{ id: h.id, text: lines.slice(h.index, end).join('\n') }];
  });
}

const normalise = (s: string) => s.toLowerCase().replace(/[*`_]/g, '').replace(/\s+/g, ' ').trim();

/**
 * The text with each line's comment or quote marker removed and lines joined by a space, so a
 * citation that wraps reads as one; `lineAt` maps an offset of the joined text back to a line.
 */
function joined(text: string): { flat: string; lineAt(offset: number): number } {
  const starts: number[] = [];
  let flat = '';
  for (const line of text.split('\n')) {
    starts.push(flat.length);
    flat += `${line.replace(/^\s*(?:\*(?!\/)|\/\/+|#+|>)?\s*/, '')} `;
  }
  return {
    flat,
    lineAt(offset) {
      let lo = 0;
      while (lo + 1 < starts.length && starts[lo + 1]! <= offset) lo++;
      return lo + 1;
    },
  };
}

/** The section sign, written as an escape so that this file cites nothing itself. */
const SIGN = '\u00a7';
const DOC = String.raw`(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.md)`;
const SECTION = String.raw`\u00a7([0-9]+[a-z]?)(?:\s+"([^"]+)")?`;
const CITATION = new RegExp(String.raw`${DOC}\s+(${SECTION}(?:\s*(?:,|and)\s*${SECTION})*)`, 'g');
const ONE_SECTION = new RegExp(SECTION, 'g');
const MENTION = new RegExp(DOC, 'g');

/** The references in one file's text that do not resolve. `file` is relative to `root`. */
export function brokenReferences(root: string, file: string, text: string, docNames: ReadonlySet<string>): BrokenReference[] {
  const broken: BrokenReference[] = [];
  const { flat, lineAt } = joined(text);
  const isMarkdown = file.endsWith('.md');
  const resolve = (cited: string) =>
    [path.join(path.dirname(file), cited), path.normalize(cited)].find((p) => existsSync(path.join(root, p)));
  const report = (offset: number, citation: string, problem: string) =>
    broken.push({ file, line: lineAt(offset), citation: citation.trim(), problem });

  const cited = new Set<number>(); // offsets of the section signs that belong to a citation
  const checked = new Set<number>(); // offsets of the pages cited with sections (checked there)
  for (const m of flat.matchAll(CITATION)) {
    const [citation, doc, chain] = m as unknown as [string, string, string];
    checked.add(m.index);
    const chainStart = m.index + citation.indexOf(chain);
    for (const s of chain.matchAll(ONE_SECTION)) cited.add(chainStart + s.index);
    const target = resolve(doc);
    if (!target) {
      report(m.index, citation, `${doc} does not exist (relative to ${path.dirname(file) || '.'} or to the root)`);
      continue;
    }
    const known = sections(readFileSync(path.join(root, target), 'utf8'));
    for (const s of chain.matchAll(ONE_SECTION)) {
      const [, id, phrase] = s as unknown as [string, string, string | undefined];
      const section = known.find((k) => k.id === id);
      if (!section) report(m.index, citation, `${target} has no section ${SIGN}${id} (it has ${known.map((k) => `${SIGN}${k.id}`).join(', ') || 'no numbered sections'})`);
      else if (phrase !== undefined && !normalise(section.text).includes(normalise(phrase))) {
        report(m.index, citation, `${target} ${SIGN}${id} does not contain "${phrase}"`);
      }
    }
  }

  for (const m of flat.matchAll(new RegExp(SIGN, 'g'))) {
    if (cited.has(m.index) || isMarkdown) continue;
    if (/RFC\s*\d+\s*$/.test(flat.slice(Math.max(0, m.index - 20), m.index))) continue;
    report(m.index, flat.slice(Math.max(0, m.index - 30), m.index + 10), `a section sign that follows no document: cite it as docs/<page>.md ${SIGN}N`);
  }

  for (const m of flat.matchAll(MENTION)) {
    if (checked.has(m.index)) continue;
    const doc = m[1]!;
    const aboutDocs = doc.startsWith('docs/') || doc.includes('/docs/') || doc.startsWith('reference/') || docNames.has(doc);
    if (aboutDocs && !resolve(doc)) report(m.index, doc, `${doc} does not exist (relative to ${path.dirname(file) || '.'} or to the root)`);
  }
  return broken;
}

/** Every broken reference in the tree under `root`; `skip` lists files (relative to `root`) left out, such as the checker's own test with its made-up broken references. */
export function checkTree(root: string, skip: readonly string[] = []): BrokenReference[] {
  const docNames = new Set(readdirSync(path.join(root, 'docs')).filter((n) => n.endsWith('.md')));
  return textFiles(root)
    .filter((file) => !skip.includes(file))
    .flatMap((file) => brokenReferences(root, file, readFileSync(path.join(root, file), 'utf8'), docNames));
}
