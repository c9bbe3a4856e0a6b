// The run guard lives in the service layer the CLI and the console share.
export { findRunningSync, startManualSync, SyncAlreadyRunningError } from '../services/run-lock.js';
