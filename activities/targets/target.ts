/**
 * What the product knows of a target without running it: plain data, safe to import from anywhere
 * (the database schema, the CLI, the console, the workflows' contract). A target's flow (its
 * activities) is its TargetConnector (connector.ts); both are listed once, in registry.ts.
 */
export interface TargetDescriptor<Name extends string = string> {
  /** Stored in connections.target, given to `--target`. */
  name: Name;
  /** How people call it: reports, schedule notes, the console. */
  label: string;
  /**
   * What one run syncs, in report order. Each dataset is run by the same child workflow
   * (workflows/sync-dataset.workflow.ts); a target with one dataset reports it without a prefix.
   */
  datasets: readonly TargetDataset[];
  /** The Lucca user fields its mapping reads (`fields=` of the users list). */
  luccaFields: readonly string[];
  /** Its public API, the default of `--target-url`. */
  defaultUrl: string;
  /** A new connection syncs at once (true), or waits for the publisher's `connection activate` (false). */
  startsActive: boolean;
  /**
   * When Lucca refuses a dataset's read (403): the run goes on with the other datasets and says which
   * permission is missing (`skip-dataset`), or the whole run fails (`fail-run`).
   */
  onForbidden: 'skip-dataset' | 'fail-run';
  /** Who to check a refused target key with (`connection test`, console setup). */
  keyContact: string;
  /** Report lines one write activity applies before it returns (dev/bench/RESULTS.md for HappyPal's). */
  linesPerActivity: number;
}

export interface TargetDataset {
  name: string;
  /** In messages: `expense reports failed: …`. */
  label: string;
}

/** Builds a registry of descriptors, checking at compile time that each one sits under its own name. */
export function defineTargets<T extends { [K in keyof T]: TargetDescriptor<K & string> }>(targets: T): T {
  return targets;
}
