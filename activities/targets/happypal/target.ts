import { HAPPYPAL_USER_FIELDS } from '../../lucca/schemas.js';
import type { TargetDescriptor } from '../target.js';

/** HappyPal (employee benefits): one dataset, the employees' profiles. Plain data (registry.ts). */
export const HAPPYPAL = {
  name: 'happypal',
  label: 'HappyPal',
  datasets: [{ name: 'employees', label: 'employees' }],
  luccaFields: HAPPYPAL_USER_FIELDS,
  defaultUrl: 'https://api.happypal.fr',
  startsActive: true,
  keyContact: 'HappyPal',
  // Without the users list there is nothing to sync: the run fails and says which permission to grant.
  onForbidden: 'fail-run',
  // 5,000 lines take seconds to write; fewer, longer write activities mean fewer pipeline drains (dev/bench/RESULTS.md).
  linesPerActivity: 5000,
} as const satisfies TargetDescriptor<'happypal'>;
