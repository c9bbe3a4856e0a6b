import type postgres from 'postgres';
import { extraKey, type FieldMapping } from '../../rules/field-mapping.js';
import { emptyMappedEvidence, sourcePath, type MappedEvidence } from '../../rules/mapped-visibility.js';
import { HIDEABLE_FIELDS, LUCCA_KEY, VisibilityCountsSchema, emptyEvidence, type Evidence, type VisibilityCounts } from '../../rules/visibility.js';

type Sql = postgres.Sql | postgres.TransactionSql;

/**
 * The visibility counts of the connection's last successful run (completed, not a dry run: a
 * confirmed dry run must not become the baseline of the real one), or null.
 */
export async function lastVisibility(sql: Sql, connectionId: string): Promise<VisibilityCounts | null> {
  const [row] = await sql<{ visibility: unknown }[]>`select visibility from sync_runs
    where connection_id = ${connectionId}::uuid and status = 'completed' and not dry_run and visibility is not null
    order by started_at desc limit 1`;
  const parsed = VisibilityCountsSchema.safeParse(row?.visibility);
  return parsed.success ? parsed.data : null;
}

export async function saveVisibility(sql: Sql, runId: string, counts: VisibilityCounts): Promise<void> {
  await sql`update sync_runs set visibility = ${JSON.stringify(counts)}::jsonb where id = ${runId}::uuid`;
}

/**
 * visibility.ts addEvidence over a run's staged Lucca users and the connection's snapshots, in one
 * aggregate: per hideable field, records with a value, and records with `null` whose snapshot holds
 * a value. A left join by the snapshots' primary key: one index lookup per staged row at worst.
 */
export async function fieldEvidence(
  sql: Sql, input: { runId: string; stagedDataset: string; connectionId: string; dataset: string },
): Promise<Evidence> {
  const columns = HIDEABLE_FIELDS.flatMap((field) => {
    const key = LUCCA_KEY[field];
    return [
      sql`count(*) filter (where r.data->${key} is not null and r.data->${key} <> 'null'::jsonb)::int as ${sql(`${field}:valued`)}`,
      sql`count(*) filter (where r.data->${key} = 'null'::jsonb and p.fields->>${field} is not null)::int as ${sql(`${field}:cleared`)}`,
    ];
  });
  const select = columns.reduce((acc, c) => sql`${acc}, ${c}`);
  const [row] = await sql<Record<string, number>[]>`select ${select}
    from staged_records r
    left join snapshots p on p.connection_id = ${input.connectionId}::uuid and p.dataset = ${input.dataset} and p.source_id = r.source_id
    where r.run_id = ${input.runId}::uuid and r.dataset = ${input.stagedDataset}`;
  const evidence = emptyEvidence();
  for (const field of HIDEABLE_FIELDS) {
    evidence[field] = { valued: row?.[`${field}:valued`] ?? 0, cleared: row?.[`${field}:cleared`] ?? 0 };
  }
  return evidence;
}

/**
 * mapped-visibility.ts addMappedEvidence over a run's staged Lucca users and the connection's
 * snapshots, in one aggregate (the same join as fieldEvidence): per mapped attribute, records whose
 * source holds a value, and records whose source is `null` while the snapshot (`attr.<name>`) holds
 * one. A source left out of the record counts for neither. Empty without mappings (no query). Equal to
 * addMappedEvidence for records of Lucca's shape (an object at the path holds the value under `unwrap`).
 */
export async function mappedEvidence(
  sql: Sql, input: { runId: string; stagedDataset: string; connectionId: string; dataset: string; mappings: readonly FieldMapping[] },
): Promise<MappedEvidence> {
  const evidence = emptyMappedEvidence(input.mappings);
  const columns = input.mappings.flatMap((m, i) => {
    const at = sourcePath(m.source);
    if (!at) return [];
    // The value at the source's path, unwrapped from its `{ id, value }` / `{ id, name }` object when it is one.
    const raw = sql`(r.data #> ${sql.array(at.path)}::text[])`;
    const value = at.unwrap === null ? raw
      : sql`(case when jsonb_typeof(${raw}) = 'object' then ${raw} -> ${at.unwrap}::text else ${raw} end)`;
    return [
      sql`count(*) filter (where ${value} is not null and ${value} <> 'null'::jsonb)::int as ${sql(`${i}:valued`)}`,
      sql`count(*) filter (where ${value} = 'null'::jsonb and p.fields->>${extraKey(m.target)}::text is not null)::int as ${sql(`${i}:cleared`)}`,
    ];
  });
  if (columns.length === 0) return evidence;
  const select = columns.reduce((acc, c) => sql`${acc}, ${c}`);
  const [row] = await sql<Record<string, number>[]>`select ${select}
    from staged_records r
    left join snapshots p on p.connection_id = ${input.connectionId}::uuid and p.dataset = ${input.dataset} and p.source_id = r.source_id
    where r.run_id = ${input.runId}::uuid and r.dataset = ${input.stagedDataset}`;
  input.mappings.forEach((m, i) => {
    evidence[m.target] = { valued: row?.[`${i}:valued`] ?? 0, cleared: row?.[`${i}:cleared`] ?? 0 };
  });
  return evidence;
}
