// The only path given to the worker's workflowsPath / bundler.
export { syncConnection } from './sync-connection.workflow.js';
