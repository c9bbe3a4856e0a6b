import { badRequest } from './http-error.js';
import { checkFieldTree, type TypeName } from './resources.js';

/** Requested fields, lower-cased: `true` takes the value whole, a subtree projects a nested object. */
export type FieldTree = Map<string, FieldTree | true>;

export interface FieldSelection {
  tree: FieldTree;
  /** `collection.count` was asked: the total number of matching records goes to `data.count`. */
  count: boolean;
}

/**
 * Parses a v3 `fields` value: commas, dotted paths (`manager.id`) and brackets
 * (`department[id,name]`, nestable). Blank or absent → `defaults`. Unbalanced brackets → 400.
 * With a `type`, a name the resource does not have is a 400, as Lucca answers (resources.ts).
 */
export function parseFields(raw: string | undefined, defaults: string, type?: TypeName): FieldSelection {
  const text = raw === undefined || raw.trim() === '' ? defaults : raw;
  const spelled = new Map<string, string>();
  const [tree, end] = parseList(text, 0, 0, spelled);
  if (end < text.length) throw badRequest(`fields: unexpected "${text[end]}" at ${end}`);
  const collection = tree.get('collection');
  const count = collection !== undefined && (collection === true || collection.has('count'));
  tree.delete('collection');
  if (type) checkFieldTree(tree, type, spelled);
  return { tree, count };
}

function parseList(text: string, start: number, depth: number, spelled: Map<string, string>): [FieldTree, number] {
  const tree: FieldTree = new Map();
  let pos = start;
  while (pos < text.length) {
    let name = '';
    while (pos < text.length && !',[]'.includes(text[pos] as string)) name += text[pos++];
    let sub: FieldTree | true = true;
    if (text[pos] === '[') {
      const [inner, after] = parseList(text, pos + 1, depth + 1, spelled);
      if (text[after] !== ']') throw badRequest('fields: missing "]"');
      sub = inner;
      pos = after + 1;
    }
    const parts = name.trim().split('.').map((part) => part.trim());
    for (const part of parts) if (!spelled.has(part.toLowerCase())) spelled.set(part.toLowerCase(), part);
    const path = parts.map((part) => part.toLowerCase());
    if (path.some((part) => part === '')) {
      if (name.trim() !== '' || sub !== true) throw badRequest(`fields: bad name "${name}"`);
    } else insert(tree, path, sub);
    if (text[pos] === ',') pos++;
    else if (text[pos] === ']') {
      if (depth === 0) throw badRequest('fields: unexpected "]"');
      return [tree, pos];
    }
  }
  if (depth > 0) throw badRequest('fields: missing "]"');
  return [tree, pos];
}

function insert(tree: FieldTree, path: string[], leaf: FieldTree | true): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  const value = rest.length === 0 ? leaf : (() => {
    const child: FieldTree = new Map();
    insert(child, rest, leaf);
    return child;
  })();
  tree.set(head, merge(tree.get(head), value));
}

function merge(a: FieldTree | true | undefined, b: FieldTree | true): FieldTree | true {
  if (a === undefined) return b;
  if (a === true || b === true) return true;
  for (const [key, value] of b) a.set(key, merge(a.get(key), value));
  return a;
}

const canonical = new Map<string, string>();

function findKey(obj: Record<string, unknown>, lower: string): string | undefined {
  const known = canonical.get(lower);
  if (known !== undefined && Object.hasOwn(obj, known)) return known;
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === lower) {
      canonical.set(lower, key);
      return key;
    }
  }
  return undefined;
}

/** Keeps the requested fields (matched case-insensitively, written in their canonical case); names the record lacks are left out. */
export function project(obj: Record<string, unknown>, tree: FieldTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [lower, sub] of tree) {
    const key = findKey(obj, lower);
    if (key === undefined) continue;
    const value = obj[key];
    out[key] = sub === true ? value : projectValue(value, sub);
  }
  return out;
}

function projectValue(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((item) => projectValue(item, tree));
  if (value !== null && typeof value === 'object') return project(value as Record<string, unknown>, tree);
  return value;
}
