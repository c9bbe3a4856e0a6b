/**
 * parseJsonSafely: remote bodies never carry `__proto__`, `constructor` or `prototype` keys into our
 * objects, however they spell them, while ordinary bodies take the fast path (plain JSON.parse).
 */
import { describe, expect, it } from 'vitest';
import { parseJsonSafely } from '../../activities/http/http.js';

const ownKeys = (value: unknown) => Object.keys(value as object).sort();

describe('parseJsonSafely', () => {
  it.each([
    ['plain', '{"__proto__":{"x":1},"constructor":2,"prototype":3,"a":1}'],
    ['escaped underscore', '{"\\u005f_proto__":{"x":1},"a":1}'],
    ['escaped letters', '{"__pr\\u006fto__":{"x":1},"c\\u006Fnstructor":2,"proto\\u0074ype":3,"a":1}'],
    ['nested, escaped', '{"a":1,"data":{"items":[{"\\u005F\\u005Fproto\\u005F\\u005F":{"x":1},"id":7}]}}'],
  ])('drops the keys at every depth (%s)', (_label, text) => {
    const parsed = parseJsonSafely(text) as Record<string, unknown>;
    expect(ownKeys(parsed).filter((k) => k !== 'data')).toEqual(['a']);
    const items = (parsed.data as { items?: object[] } | undefined)?.items;
    if (items) expect(ownKeys(items[0])).toEqual(['id']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps everything else as JSON.parse does, non-ASCII escapes included', () => {
    const text = '{"firstName":"\\u00c9lise","lastName":"Dupr\\u00E9","mail":"e@acme.example","n":[1,2,{"k":null}],"tag":"a\\u002Bb"}';
    expect(parseJsonSafely(text)).toEqual(JSON.parse(text));
    expect(parseJsonSafely('{"description":"a prototype of a constructor"}')).toEqual({ description: 'a prototype of a constructor' });
  });

  it('throws SyntaxError on a cut body', () => {
    expect(() => parseJsonSafely('{"items":[{"id":1},{"id"')).toThrow(SyntaxError);
  });
});
