// The only path given to the worker's workflowsPath / bundler.
export { syncConnection } from './sync-connection.workflow.js';
export { syncDataset } from './sync-dataset.workflow.js';
export { fleetHealth } from './fleet-health.workflow.js';
