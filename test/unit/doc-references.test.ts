/**
 * Every reference to the repository's documents resolves (test/support/doc-references.ts): the
 * pages comments cite, their numbered sections and the phrases quoted from them. First the checker
 * on small made-up trees, so each kind of broken reference is shown to fail; then the real tree.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTree, sections } from '../support/doc-references.js';

// Written as an escape, so that this file's own text cites nothing.
const S = '\u00a7';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const PAGE = ['# Design', '', `See ${S}2.`, '', '## 1. Who', 'People.', '', '## 2. Shape', 'One run per sync.', '',
  '### Matching', 'Link first, then email.', '', '```', '## 9. not a heading (fenced)', '```', '',
  '## 3. Errors', '429: wait.', '### 3a. Retries', 'Backoff.', ''].join('\n');

const trees: string[] = [];
afterAll(() => {
  for (const dir of trees) rmSync(dir, { recursive: true, force: true });
});

/** A small tree: docs/design.md as above, and the given files. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'doc-refs-'));
  trees.push(root);
  mkdirSync(path.join(root, 'docs'));
  writeFileSync(path.join(root, 'docs/design.md'), PAGE);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

const problems = (files: Record<string, string>) => checkTree(tree(files)).map((b) => `${b.file}:${b.line} ${b.problem}`);

describe('sections', () => {
  it('reads numbered headings of every level, each up to the next heading of its level or above, ignoring fenced code', () => {
    const found = sections(PAGE);
    expect(found.map((s) => s.id)).toEqual(['1', '2', '3', '3a']);
    expect(found.find((s) => s.id === '2')?.text).toContain('Link first, then email.');
    expect(found.find((s) => s.id === '3')?.text).toContain('Backoff.');
    expect(found.find((s) => s.id === '1')?.text).not.toContain('One run');
  });
});

describe('brokenReferences', () => {
  it('accepts citations that resolve: sections, chains, quoted phrases, wrapped comments, RFCs, a page citing itself', () => {
    expect(problems({
      'rules/a.ts': [
        `/** The rule (docs/design.md ${S}2 "Matching", ${S}3 and ${S}3a "backoff"). */`,
        `// RFC 9110 ${S}10.2.3 allows both forms.`,
        '/**',
        ` * A wrapped citation (docs/design.md`,
        ` * ${S}2 "one run per`,
        ' * sync").',
        ' */',
      ].join('\n'),
      'docs/other.md': `Relative to this page: design.md ${S}1, and this page's own ${S}4.`,
    })).toEqual([]);
  });

  it('reports a page that does not exist, and a bare page name that only exists elsewhere', () => {
    expect(problems({
      'rules/a.ts': `// (docs/nowhere.md ${S}1)\n// as design.md ${S}3 says\n// see docs/gone.md`,
    })).toEqual([
      'rules/a.ts:1 docs/nowhere.md does not exist (relative to rules or to the root)',
      'rules/a.ts:2 design.md does not exist (relative to rules or to the root)',
      'rules/a.ts:3 docs/gone.md does not exist (relative to rules or to the root)',
    ]);
  });

  it('reports a section the page does not have, and a quoted phrase its section does not contain', () => {
    expect(problems({
      'lib/b.ts': `/** docs/design.md ${S}4, and docs/design.md ${S}9 (fenced: no section) and docs/design.md ${S}1 "Lifecycle". */`,
    })).toEqual([
      `lib/b.ts:1 docs/design.md has no section ${S}4 (it has ${S}1, ${S}2, ${S}3, ${S}3a)`,
      `lib/b.ts:1 docs/design.md has no section ${S}9 (it has ${S}1, ${S}2, ${S}3, ${S}3a)`,
      `lib/b.ts:1 docs/design.md ${S}1 does not contain "Lifecycle"`,
    ]);
  });

  it('reports a section sign that follows no page in code', () => {
    expect(problems({ 'lib/c.ts': `\n// (reference ${S}7: the six values)` })).toEqual([
      `lib/c.ts:2 a section sign that follows no document: cite it as docs/<page>.md ${S}N`,
    ]);
  });
});

describe('the repository', () => {
  it('has no broken reference to its documents', () => {
    // This file is left out: its made-up trees cite missing pages on purpose.
    const broken = checkTree(ROOT, [path.relative(ROOT, fileURLToPath(import.meta.url))]);
    expect(broken.map((b) => `${b.file}:${b.line} ${b.citation}: ${b.problem}`)).toEqual([]);
  });
});
