import { defineQuery } from '@temporalio/workflow';

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
}

export interface SyncInput {
  connectionId: string;
  trigger: Trigger;
  dryRun?: boolean;
  /** Lets a run through the mass-deactivation guard (an operator's explicit confirmation). */
  confirmDeactivations?: boolean;
  options?: SyncOptions;
  /** Set only by continue-as-new. */
  cursor?: SyncCursor;
}

export interface SyncProgress {
  runId: string | null;
  phase: Phase;
  pagesDone: number;
  counts: Record<string, number>;
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

export const SYNC_WORKFLOW_TYPE = 'syncConnection';
export const scheduleIdFor = (connectionName: string) => `sync-${connectionName}`;
export const manualWorkflowIdFor = (connectionName: string, at: Date) =>
  `sync-${connectionName}-manual-${at.toISOString().replace(/[:.]/g, '-')}`;
