import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { UsersReadPlan } from '../rules/incremental.js';

/**
 * The contract between clients, workers and the workflow: small inputs made of ids, cursors and
 * counts. Employee data never travels through workflow history; it lives in Postgres.
 */
export type Trigger = 'schedule' | 'manual';
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'blocked';
export type Phase = 'starting' | 'fetch-source' | 'fetch-target' | 'plan' | 'write' | 'report' | 'done';

export interface SyncOptions {
  /** Pages one fetch activity reads before it returns its cursor to the workflow. */
  pagesPerActivity?: number;
  /** Report lines one write activity applies before it returns. */
  linesPerActivity?: number;
  /** Activities in one execution before it continues-as-new (Temporal may suggest it sooner). */
  maxActivitiesPerRun?: number;
  /** Backoff between activity attempts (default 1 s doubling to 1 min; tests shorten it). */
  retryInitialIntervalMs?: number;
  retryMaximumIntervalMs?: number;
}

export interface SyncCursor {
  runId: string;
  phase: Phase;
  sourceOffset: number;
  sourceDone: boolean;
  targetPage: number;
  targetDone: boolean;
  planned: boolean;
  pagesDone: number;
  counts: Record<string, number>;
  continuedAsNew: number;
  /** The connection's target, from beginRun (absent in histories recorded before Reflect: HappyPal). */
  target?: string;
  /** Legacy HappyPal path: full or incremental read, from beginRun (absent in older histories: a full read). */
  read?: UsersReadPlan;
  /** Legacy HappyPal path, incremental reads: the part of the Lucca read in progress (absent: 0). */
  sourcePart?: number;
  /** A target's only dataset, run in the run workflow itself (workflows/run-datasets.ts runDatasetInline), and where it is. */
  inline?: { dataset: RunDataset; cursor: DatasetCursor };
}

export interface BeginRunInput {
  connectionId: string;
  workflowId: string;
  trigger: Trigger;
  dryRun: boolean;
  /** `sync run --full`: read everything whatever the cursor says. */
  full?: boolean;
  /**
   * Decide each dataset's read plan now (RunDataset.plan), so its child starts reading at once. Absent
   * in histories recorded before it: their children decide it in their own prepare step.
   */
  prepare?: boolean;
}

/** One dataset of a run, as the target's descriptor says (activities/targets/registry.ts). */
export interface RunDataset {
  name: string;
  label: string;
  /** Lucca refused its read (403): the run fails, instead of going on without it. */
  failOnForbidden?: boolean;
  /** Report lines one write activity applies (the target's own default; SyncOptions.linesPerActivity wins). */
  linesPerActivity?: number;
  /** Its read plan, decided by beginRun when asked (BeginRunInput.prepare). */
  plan?: DatasetReadPlan;
}

export interface BeginRunResult {
  runId: string;
  /** The connection's target. Optional: histories recorded before Reflect lack it (HappyPal). */
  target?: string;
  /** What the run syncs, from the target registry. Optional: histories recorded before the registry lack it. */
  datasets?: RunDataset[];
  /**
   * HappyPal histories recorded before the registry: the read plan beginRun decided (the legacy inline
   * path carries it). Runs of the registry decide it in the dataset's prepare step instead.
   */
  read?: UsersReadPlan;
}

export interface SyncInput {
  connectionId: string;
  trigger: Trigger;
  dryRun?: boolean;
  /** Lets a run through the mass-deactivation guard (an operator's explicit confirmation). */
  confirmDeactivations?: boolean;
  /** Full resync: ignore the incremental read cursors and read everything (Reflect's datasets, HappyPal's users). */
  full?: boolean;
  /** Lets a run through the visibility guard: the operator accepts that the Lucca key sees less. */
  confirmVisibility?: boolean;
  options?: SyncOptions;
  /**
   * How long the run may last, retries included, from its start (ms): set by the schedule from its
   * cadence (workflows/policies.ts RUN_BUDGET_MS); absent (manual runs, older schedules) → the default.
   */
  budgetMs?: number;
  /** Set only by continue-as-new. */
  cursor?: SyncCursor;
}

export interface SyncProgress {
  runId: string | null;
  phase: Phase;
  pagesDone: number;
  counts: Record<string, number>;
  /** Reflect: each dataset's own progress (the run's phase is the least advanced of them). */
  datasets?: Record<string, DatasetProgress>;
}

export type DatasetStatus = 'running' | 'completed' | 'not_permitted';

export interface DatasetProgress {
  dataset: string;
  phase: Phase;
  status: DatasetStatus;
  pagesDone: number;
  counts: Record<string, number>;
}

/**
 * A dataset's read plan, decided once by the target (prepareDataset) and handed back to every later
 * step: opaque to the workflow, except that it says whether the read is full.
 */
export interface DatasetReadPlan {
  full: boolean;
}

/** Where a dataset's read is: which part of its plan, and where in that part (an offset, a page). */
export interface ReadCursor {
  part: number;
  at: number;
}

/** One call of fetchDatasetPages: the cursor to resume from, and the phase its next part belongs to. */
export interface DatasetPages {
  cursor: ReadCursor;
  pages: number;
  done: boolean;
  counts: Record<string, number>;
  /** The phase the next read belongs to (HappyPal reads Lucca, then the target); absent: `fetch-source`. */
  phase?: Phase;
}

/** One call of stageDataset: a read step, and the plan once the read is done (in the same attempt). */
export interface DatasetStaged extends DatasetPages {
  planned?: DatasetPlanned;
}

/** What planning one dataset found. */
export interface DatasetPlanned {
  counts: Record<string, number>;
  message: string | null;
  /** A guard stopped the dataset before writing: the run ends `blocked`. */
  blocked?: boolean;
}

export interface DatasetCursor {
  phase: Phase;
  /** Decided once (full or incremental, what to read), then carried: a retry never changes its mind. */
  plan: DatasetReadPlan | null;
  read: ReadCursor;
  /** The phase of the next read (DatasetPages.phase); absent in older histories. */
  readPhase?: Phase;
  readDone: boolean;
  planned: boolean;
  /** From the plan (e.g. deletions held by the guard). */
  message: string | null;
  /** The visibility guard stopped the section before writing (absent in older histories). */
  blocked?: boolean;
  pagesDone: number;
  counts: Record<string, number>;
  continuedAsNew: number;
}

export interface DatasetInput {
  runId: string;
  dataset: string;
  /** Lucca refused the read (403): fail the run (RunDataset.failOnForbidden). Absent in older (Reflect) histories: skip the dataset. */
  failOnForbidden?: boolean;
  dryRun: boolean;
  /** The operator confirmed deletions past the guard (SyncInput.confirmDeactivations). */
  confirmDeletions: boolean;
  /** SyncInput.full: the read plan is full whatever the dataset's cursor says. */
  full?: boolean;
  /** The operator accepts that the Lucca key sees less (SyncInput.confirmVisibility); absent in older histories. */
  confirmVisibility?: boolean;
  options?: SyncOptions;
  /** The run's deadline (epoch ms), from its parent; absent in older histories (then its own start + the default budget). */
  deadline?: number;
  /**
   * The read plan beginRun decided. Present: the dataset runs in two kinds of step, stage (read, then
   * plan in the call that ends the read) and write (then finish in the call that ends the writes).
   * Absent (histories recorded before it): prepare, read, plan, write and finish, one activity each.
   */
  plan?: DatasetReadPlan;
  /** Set only by continue-as-new. */
  cursor?: DatasetCursor;
}

/** A dataset's end: synced, or not permitted by the Lucca key (the run goes on with the others). */
export interface DatasetResult {
  dataset: string;
  status: Exclude<DatasetStatus, 'running'>;
  message: string | null;
  /** The visibility guard stopped it before writing: the run ends `blocked`. */
  blocked?: boolean;
  counts: Record<string, number>;
  /** Pages read (absent in older histories). */
  pagesDone?: number;
}

/** The workflow's result: counts only, no personal data. */
export interface SyncSummary {
  runId: string;
  status: RunStatus;
  dryRun: boolean;
  counts: Record<string, number>;
  message: string | null;
}

export const progressQuery = defineQuery<SyncProgress>('progress');
/** A dataset child tells its parent where it is, so the run's `progress` covers every dataset. */
export const datasetProgressSignal = defineSignal<[DatasetProgress]>('datasetProgress');

export const SYNC_WORKFLOW_TYPE = 'syncConnection';
export const DATASET_WORKFLOW_TYPE = 'syncDataset';
export const datasetWorkflowIdFor = (parentWorkflowId: string, dataset: string) => `${parentWorkflowId}/${dataset}`;
export const scheduleIdFor = (connectionName: string) => `sync-${connectionName}`;
export const manualWorkflowIdFor = (connectionName: string, at: Date) =>
  `sync-${connectionName}-manual-${at.toISOString().replace(/[:.]/g, '-')}`;
