/** Query parameters looked up case-insensitively (Lucca runs on ASP.NET: `orderby` = `orderBy`). */
export class Query {
  private values = new Map<string, string>();

  constructor(readonly params: URLSearchParams) {
    for (const [name, value] of params) {
      const key = name.toLowerCase();
      if (!this.values.has(key)) this.values.set(key, value);
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }

  /** `true`/`false` (any case); undefined when absent, 400-worthy values return null. */
  bool(name: string): boolean | undefined | null {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    const lower = raw.trim().toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : null;
  }
}
