import type { ActivityOptions } from '@temporalio/workflow';

/** Errors no retry can fix: a bad key, a missing permission, an unknown instance, a missing connection. */
export const NON_RETRYABLE = [
  'lucca_unauthorized',
  'lucca_forbidden',
  'lucca_unknown_instance',
  'lucca_url_invalid',
  'happypal_unauthorized',
  'connection_not_found',
  'connection_inactive',
];

/** Reads from Lucca or the target: paced by the rate limiter, resumed from the heartbeat cursor. */
export const READ: ActivityOptions = {
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Planning and writing: idempotent, resumable, heartbeating. */
export const WORK: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Short bookkeeping in Postgres. */
export const BOOKKEEPING: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
};
