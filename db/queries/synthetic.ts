import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';

/**
 * Synthetic history for load measurements (dev/bench/console.ts): rows shaped like a fleet's, written
 * in a few set-based statements. Never called by the product; here because SQL lives in db/queries.
 */

/** For every connection: `runs` completed runs (one a day back), `conflicts` open conflicts and as many quarantined records. */
export async function seedFleetHistory(db: Db, perConnection: { runs: number; conflicts: number }): Promise<void> {
  await db.execute(sql`insert into sync_runs (connection_id, workflow_id, trigger, status, phase, counts, started_at, finished_at)
    select c.id, 'wf-' || c.name || '-' || n, 'schedule', 'completed', 'done', '{"read": 120, "updated": 3}'::jsonb,
           now() - (n || ' days')::interval, now() - (n || ' days')::interval + interval '40 seconds'
    from connections c, generate_series(1, ${perConnection.runs}) n`);
  await db.execute(sql`insert into conflicts (connection_id, dataset, source_id, field, source_value, target_value)
    select c.id, 'employees', n::text, 'lastName', 'A', 'B' from connections c, generate_series(1, ${perConnection.conflicts}) n`);
  await db.execute(sql`insert into quarantine (connection_id, dataset, source_id, reasons)
    select c.id, 'employees', n::text, '[{"code":"invalid_value","field":"email","message":"email is not an email address"}]'::jsonb
    from connections c, generate_series(1, ${perConnection.conflicts}) n`);
}

/** One completed run of the connection whose report has `lines` updated lines (two field changes each); its id. */
export async function seedLargeReport(db: Db, connectionId: string, lines: number): Promise<string> {
  const [run] = await db.execute<{ id: string }>(sql`insert into sync_runs (connection_id, workflow_id, trigger, status, phase, counts, finished_at)
    values (${connectionId}, 'wf-big', 'manual', 'completed', 'done', ${JSON.stringify({ read: lines, updated: lines })}::jsonb, now()) returning id`);
  if (!run) throw new Error('The run was not stored.');
  await db.execute(sql`insert into report_lines (run_id, seq, dataset, source_id, target_id, action, changes, outcome)
    select ${run.id}::uuid, n, 'employees', n::text, 'hp-' || n, 'updated',
      jsonb_build_array(jsonb_build_object('field', 'email', 'before', 'old' || n || '@acme.fr', 'after', 'person' || n || '@acme.fr'),
                        jsonb_build_object('field', 'lastName', 'before', 'Name' || n, 'after', 'Name' || n || '-B')),
      'applied'
    from generate_series(1, ${lines}) n`);
  await db.execute(sql`analyze`);
  return run.id;
}
