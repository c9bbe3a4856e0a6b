import type { Db } from '../db/client.js';
import { openIncident, openIncidents, resolveIncident, saveHealth } from '../db/queries/incidents.js';
import { INCIDENT_KINDS, type ConnectionHealth, type IncidentKind } from './health.js';

/**
 * Incidents follow health's conditions, one open incident per connection and kind:
 *
 * | condition now | open incident of that kind | change                                  |
 * |---------------|----------------------------|-----------------------------------------|
 * | holds         | none                       | open one (cause recorded), notify once  |
 * | holds         | one                        | nothing (its cause stays as first seen) |
 * | gone          | one                        | resolve it, notify once                 |
 * | gone          | none                       | nothing                                 |
 *
 * The kinds are auth_error, failing, blocked, stale and degraded. Degraded (conflicts waiting for an
 * HR decision, records in quarantine) opens an incident too: someone has to act, and it resolves by
 * itself once the conflicts are resolved and the records pass. paused and never_run are operator
 * states, not problems: no incident. A successful run clears failing, auth_error, blocked and stale.
 */
export interface IncidentChanges {
  open: { kind: IncidentKind; cause: string }[];
  resolve: { id: number; kind: string }[];
}

export function incidentChanges(conditions: Partial<Record<IncidentKind, string>>, open: readonly { id: number; kind: string }[]): IncidentChanges {
  const openKinds = new Set(open.map((i) => i.kind));
  return {
    open: INCIDENT_KINDS.flatMap((kind) => {
      const cause = conditions[kind];
      return cause && !openKinds.has(kind) ? [{ kind, cause }] : [];
    }),
    resolve: open.filter((i) => !conditions[i.kind as IncidentKind]).map(({ id, kind }) => ({ id, kind })),
  };
}

/** Records each connection's health and applies the incident changes (with their notifications queued). */
export async function recordHealth(db: Db, evaluated: readonly ConnectionHealth[], now: Date): Promise<{ opened: number; resolved: number }> {
  await saveHealth(db, evaluated.map((e) => ({ connectionId: e.connection.id, state: e.health.state, cause: e.health.cause })), now);
  const open = await openIncidents(db);
  let opened = 0;
  let resolved = 0;
  for (const { connection, health } of evaluated) {
    const changes = incidentChanges(health.conditions, open.filter((i) => i.connectionId === connection.id));
    for (const change of changes.open) if (await openIncident(db, { connectionId: connection.id, ...change }, now)) opened += 1;
    for (const change of changes.resolve) if (await resolveIncident(db, change.id, now)) resolved += 1;
  }
  return { opened, resolved };
}
