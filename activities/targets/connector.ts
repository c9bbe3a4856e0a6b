import type { Db } from '../../db/client.js';
import type { DatasetPages, DatasetPlanned, DatasetReadPlan, ReadCursor } from '../../workflows/contracts.js';
import type { Deps, TargetEndpoint } from '../deps.js';
import type { TargetDescriptor } from './target.js';

export interface DatasetStep {
  runId: string;
  dataset: string;
}

/**
 * One target's flow: the steps workflows/sync-dataset.workflow.ts runs for each of its datasets, in
 * this order (prepare once, read until done, plan once, write until done, finish). Every step works on
 * Postgres rows keyed by (run, dataset) and is safe to retry; nothing personal returns to the workflow.
 */
export interface DatasetSteps {
  /** Decides the read (full or incremental, what to read); the workflow carries it to every later step. */
  prepare(input: DatasetStep & { full?: boolean }): Promise<DatasetReadPlan>;
  /** Reads up to `maxPages` pages into staged rows, from `cursor` (`{ part: 0, at: 0 }` at first). */
  read(input: DatasetStep & { plan: DatasetReadPlan; cursor: ReadCursor; maxPages: number }): Promise<DatasetPages>;
  /** Writes the dataset's report lines (what to do to the target), touching no target. */
  plan(input: DatasetStep & { plan: DatasetReadPlan; confirmDeletions: boolean; confirmVisibility?: boolean }): Promise<DatasetPlanned>;
  /** Applies up to `maxLines` planned lines; `done` when none is left. Not called on a dry run. */
  write(input: DatasetStep & { maxLines: number }): Promise<{ done: boolean; counts: Record<string, number> }>;
  /**
   * The dataset synced (or planned, on a dry run; or `blocked` by a guard at plan, nothing written):
   * e.g. its read cursor moves on. `blocked` is absent in histories recorded before it was passed.
   */
  finish(input: DatasetStep & { plan: DatasetReadPlan; dryRun: boolean; blocked?: boolean }): Promise<{ counts: Record<string, number> }>;
  /** Lucca refused the dataset's read and the target skips it (onForbidden `skip-dataset`): one report line says why. */
  reportForbidden(input: DatasetStep & { message: string }): Promise<void>;
}

/**
 * How a target follows a connection's scope (rules/scope.ts): every dataset it syncs writes only
 * people in the scope, and one it wrote who leaves the scope is ended the target's own way, under the
 * deactivation guard. A target without it refuses a scope (services/connection-scope.ts).
 */
export interface TargetScopeSupport {
  /** Lucca ids of the people the connection has written to the target: the preview counts who would leave the scope, or come back. */
  writtenPeople(db: Db, connectionId: string): Promise<string[]>;
  /** The preview's words (plural forms with "(s)"). */
  words: {
    /** The people written: `linked profile(s)`. */
    written: string;
    /** What the next sync does to one who leaves: `deactivated`. */
    leaving: string;
    /** What it does to one in the scope it has not written yet: `created or attached by email`. */
    joining: string;
    /** What the scope does to the target's other datasets, or nothing. */
    others?: string;
  };
}

/**
 * A target: its descriptor (plain data, registry.ts) and its flow. Each target folder exports one
 * (activities/targets/<name>/connector.ts); connectors.ts maps every registered name to its own.
 */
export interface TargetConnector<Name extends string = string> extends TargetDescriptor<Name> {
  /** Its dataset steps, built once per worker with the activities' dependencies. */
  steps(deps: Deps): DatasetSteps;
  /** Reads one page of the target with the key, as a sync's first read would; writes nothing. Throws SyncError. */
  checkKey(endpoint: TargetEndpoint): Promise<void>;
  /** Present when the target supports a scope per connection. */
  scope?: TargetScopeSupport;
  /**
   * Present when the target publishes the definitions of its custom attributes (HappyPal: GET
   * /v1/custom-attributes): the mappings preview checks each mapping's target attribute against them.
   */
  attributeDefinitions?(endpoint: TargetEndpoint): Promise<readonly TargetAttributeDefinition[]>;
}

/** A custom attribute as a target defines it: its key, its type and, for an enum, its values. */
export interface TargetAttributeDefinition {
  key: string;
  type: 'text' | 'date' | 'number' | 'enum';
  values?: readonly string[] | undefined;
}

/** The connectors a worker runs, by target name: connectors.ts's, or more in tests (a fake target). */
export type Connectors = Readonly<Record<string, TargetConnector>>;
