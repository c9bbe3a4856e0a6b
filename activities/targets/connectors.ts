import type { TargetName } from './registry.js';
import type { TargetConnector } from './connector.js';
import { happypalConnector } from './happypal/connector.js';
import { reflectConnector } from './reflect/connector.js';

/**
 * The flow of every target in the registry (registry.ts), by name: a target listed there without its
 * connector here, or under another's name, does not compile. Workers run these (workers/create-worker.ts);
 * tests may add their own (test/support/fake-target/).
 */
export const CONNECTORS = {
  happypal: happypalConnector,
  reflect: reflectConnector,
} as const satisfies { readonly [K in TargetName]: TargetConnector<K> };
